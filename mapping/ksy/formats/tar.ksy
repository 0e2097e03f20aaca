# tar archives (POSIX ustar and GNU): 512-byte headers, each followed by
# its data padded to 512 bytes, until a block of zeros. Numbers are octal
# text. Written for mmhex from the POSIX pax/ustar description.
meta:
  id: tar
  title: tar archive
  file-extension: tar
seq:
  - id: entries
    type: entry
    repeat: until
    repeat-until: _.is_end or _io.eof
types:
  entry:
    seq:
      - id: header
        type: header
        size: 512
      - id: data
        size: header.file_size
        if: not is_end
      - id: padding
        size: (512 - header.file_size % 512) % 512
        if: not is_end
    instances:
      is_end:
        value: header.first_byte == 0
  header:
    seq:
      - id: name
        type: str
        size: 100
        terminator: 0
        encoding: UTF-8
      - id: mode
        type: str
        size: 8
        terminator: 0
        pad-right: 0x20
        encoding: ASCII
      - id: uid
        type: str
        size: 8
        terminator: 0
        pad-right: 0x20
        encoding: ASCII
      - id: gid
        type: str
        size: 8
        terminator: 0
        pad-right: 0x20
        encoding: ASCII
      - id: size
        type: str
        size: 12
        terminator: 0
        pad-right: 0x20
        encoding: ASCII
      - id: mtime
        type: str
        size: 12
        terminator: 0
        pad-right: 0x20
        encoding: ASCII
      - id: checksum
        type: str
        size: 8
        terminator: 0
        pad-right: 0x20
        encoding: ASCII
      - id: typeflag
        type: u1
        enum: typeflag
      - id: linkname
        type: str
        size: 100
        terminator: 0
        encoding: UTF-8
      - id: magic
        size: 6
      - id: version
        size: 2
      - id: uname
        type: str
        size: 32
        terminator: 0
        encoding: UTF-8
      - id: gname
        type: str
        size: 32
        terminator: 0
        encoding: UTF-8
      - id: devmajor
        size: 8
      - id: devminor
        size: 8
      - id: prefix
        type: str
        size: 155
        terminator: 0
        encoding: UTF-8
    instances:
      first_byte:
        pos: 0
        type: u1
      file_size:
        value: 'size == "" ? 0 : size.to_i(8)'
      mode_value:
        value: 'mode == "" ? 0 : mode.to_i(8)'
      mtime_value:
        value: 'mtime == "" ? 0 : mtime.to_i(8)'
enums:
  typeflag:
    0: old_file
    0x30: file
    0x31: hard_link
    0x32: symlink
    0x33: char_device
    0x34: block_device
    0x35: directory
    0x36: fifo
    0x37: contiguous
    0x4b: gnu_long_link
    0x4c: gnu_long_name
    0x67: pax_global
    0x78: pax_extended
