# The MBR (DOS) partition table in the first 512-byte sector: boot code,
# disk signature, four primary partition entries and the 55 aa mark.
# Written for mmhex.
meta:
  id: mbr
  title: MBR partition table
  file-extension: [mbr, img]
  endian: le
seq:
  - id: bootstrap
    size: 440
  - id: disk_signature
    type: u4
  - id: reserved
    type: u2
  - id: partitions
    type: partition
    repeat: expr
    repeat-expr: 4
  - id: boot_signature
    contents: [0x55, 0xaa]
types:
  partition:
    seq:
      - id: status
        type: u1
      - id: chs_start
        size: 3
      - id: type
        type: u1
        enum: partition_type
      - id: chs_end
        size: 3
      - id: lba_start
        type: u4
      - id: num_sectors
        type: u4
    instances:
      bootable:
        value: status == 0x80
      used:
        value: type.to_i != 0
enums:
  partition_type:
    0x00: empty
    0x01: fat12
    0x05: extended
    0x06: fat16
    0x07: ntfs_exfat
    0x0b: fat32_chs
    0x0c: fat32_lba
    0x0e: fat16_lba
    0x0f: extended_lba
    0x82: linux_swap
    0x83: linux
    0x8e: linux_lvm
    0xa5: freebsd
    0xee: gpt_protective
    0xef: efi_system
    0xfd: linux_raid
