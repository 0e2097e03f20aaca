# ZIP archives (PKWARE APPNOTE 6.3): the end of central directory record
# (found from the end of the file, after an archive comment of up to
# 65535 bytes), the central directory it points to, and each entry's
# local header and data. Written for mmhex.
meta:
  id: zip
  title: ZIP archive
  file-extension: [zip, jar, apk, docx, xlsx, odt, epub]
  endian: le
instances:
  end_search:
    doc: where the end record starts, counted back from the last possible place
    type: end_probe(_index)
    repeat: until
    repeat-until: _.found or _index >= 65535 or _index + 22 >= _root._io.size
  end:
    pos: _io.size - 22 - end_search.last.back
    type: end_of_central_dir
  central_directory:
    pos: end.cd_offset
    size: end.cd_size
    type: central_directory
types:
  end_probe:
    params:
      - id: back
        type: u4
    instances:
      signature:
        io: _root._io
        pos: _root._io.size - 22 - back
        type: u4
      found:
        value: signature == 0x06054b50
  end_of_central_dir:
    seq:
      - id: magic
        contents: [PK, 5, 6]
      - id: disk
        type: u2
      - id: cd_disk
        type: u2
      - id: entries_on_disk
        type: u2
      - id: entries_total
        type: u2
      - id: cd_size
        type: u4
      - id: cd_offset
        type: u4
      - id: comment_len
        type: u2
      - id: comment
        type: str
        size: comment_len
        encoding: UTF-8
  central_directory:
    seq:
      - id: entries
        type: central_dir_entry
        repeat: eos
  central_dir_entry:
    seq:
      - id: magic
        contents: [PK, 1, 2]
      - id: version_made_by
        type: u2
      - id: version_needed
        type: u2
      - id: flags
        type: u2
      - id: method
        type: u2
        enum: method
      - id: mod_time
        type: u2
      - id: mod_date
        type: u2
      - id: crc32
        type: u4
      - id: compressed_size
        type: u4
      - id: uncompressed_size
        type: u4
      - id: name_len
        type: u2
      - id: extra_len
        type: u2
      - id: comment_len
        type: u2
      - id: disk_start
        type: u2
      - id: internal_attributes
        type: u2
      - id: external_attributes
        type: u4
      - id: local_header_offset
        type: u4
      - id: name
        type: str
        size: name_len
        encoding: UTF-8
      - id: extra
        size: extra_len
      - id: comment
        type: str
        size: comment_len
        encoding: UTF-8
    instances:
      local_header:
        io: _root._io
        pos: local_header_offset
        type: local_file_header
      data:
        io: _root._io
        pos: local_header_offset + 30 + local_header.name_len + local_header.extra_len
        size: compressed_size
  local_file_header:
    seq:
      - id: magic
        contents: [PK, 3, 4]
      - id: version_needed
        type: u2
      - id: flags
        type: u2
      - id: method
        type: u2
        enum: method
      - id: mod_time
        type: u2
      - id: mod_date
        type: u2
      - id: crc32
        type: u4
      - id: compressed_size
        type: u4
      - id: uncompressed_size
        type: u4
      - id: name_len
        type: u2
      - id: extra_len
        type: u2
      - id: name
        type: str
        size: name_len
        encoding: UTF-8
      - id: extra
        size: extra_len
enums:
  method:
    0: stored
    1: shrunk
    6: imploded
    8: deflated
    9: deflate64
    12: bzip2
    14: lzma
    93: zstd
    95: xz
    98: ppmd
