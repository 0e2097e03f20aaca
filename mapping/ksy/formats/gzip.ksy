# gzip files (RFC 1952): the member header with its optional fields, the
# deflate stream, and the trailer (CRC-32 and size of the data, mod 2^32).
# Written for mmhex. A file of several members shows the first.
meta:
  id: gzip
  title: gzip compressed file
  file-extension: [gz, tgz]
  endian: le
seq:
  - id: magic
    contents: [0x1f, 0x8b]
  - id: method
    type: u1
    enum: method
  - id: flags
    type: flags
  - id: mtime
    type: u4
  - id: extra_flags
    type: u1
  - id: os
    type: u1
    enum: os
  - id: extra
    type: extra
    if: flags.has_extra
  - id: name
    type: strz
    encoding: ISO-8859-1
    if: flags.has_name
  - id: comment
    type: strz
    encoding: ISO-8859-1
    if: flags.has_comment
  - id: header_crc16
    type: u2
    if: flags.has_header_crc
  - id: body
    size: _io.size - _io.pos - 8
  - id: crc32
    type: u4
  - id: isize
    type: u4
types:
  flags:
    seq:
      - id: reserved
        type: b3
      - id: has_comment
        type: b1
      - id: has_name
        type: b1
      - id: has_extra
        type: b1
      - id: has_header_crc
        type: b1
      - id: is_text
        type: b1
  extra:
    seq:
      - id: len
        type: u2
      - id: data
        size: len
enums:
  method:
    8: deflate
  os:
    0: fat
    1: amiga
    2: vms
    3: unix
    4: vm_cms
    5: atari_tos
    6: hpfs
    7: macintosh
    8: z_system
    9: cp_m
    10: tops_20
    11: ntfs
    12: qdos
    13: acorn_riscos
    255: unknown
