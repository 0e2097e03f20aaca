# GUID partition tables (UEFI specification, chapter 5) on disks with
# 512-byte sectors: the protective MBR (imported from mbr.ksy), the
# primary header in LBA 1 and the partition entries it points to.
# Written for mmhex.
meta:
  id: gpt
  title: GPT partition table
  endian: le
  imports:
    - mbr
instances:
  protective_mbr:
    pos: 0
    type: mbr
  header:
    pos: 512
    type: header
  partitions:
    pos: header.entries_lba * 512
    size: header.entry_size
    type: entry
    repeat: expr
    repeat-expr: header.entries_count
types:
  header:
    seq:
      - id: signature
        contents: EFI PART
      - id: revision
        type: u4
      - id: header_size
        type: u4
      - id: header_crc32
        type: u4
      - id: reserved
        type: u4
      - id: current_lba
        type: u8
      - id: backup_lba
        type: u8
      - id: first_usable_lba
        type: u8
      - id: last_usable_lba
        type: u8
      - id: disk_guid
        type: guid
      - id: entries_lba
        type: u8
      - id: entries_count
        type: u4
        valid:
          max: 65536
      - id: entry_size
        type: u4
        valid:
          min: 128
      - id: entries_crc32
        type: u4
  entry:
    seq:
      - id: type_guid
        type: guid
      - id: partition_guid
        type: guid
      - id: first_lba
        type: u8
      - id: last_lba
        type: u8
      - id: attributes
        type: u8
      - id: name
        type: str
        size: 72
        encoding: UTF-16LE
        terminator: 0
    instances:
      used:
        value: type_guid.data1 != 0 or type_guid.data2 != 0 or type_guid.data3 != 0 or type_guid.data4 != [0, 0, 0, 0, 0, 0, 0, 0]
  guid:
    doc: 'a GUID as stored: the first three groups little-endian, the last 8 bytes as they are'
    seq:
      - id: data1
        type: u4
      - id: data2
        type: u2
      - id: data3
        type: u2
      - id: data4
        size: 8
