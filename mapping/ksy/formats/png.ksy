# PNG images: the signature and the chunks, with the common chunks'
# fields decoded. Written for mmhex from the PNG specification (W3C, 3rd
# edition). Every chunk's CRC covers its type and data.
meta:
  id: png
  title: PNG image
  file-extension: png
  endian: be
seq:
  - id: magic
    contents: [0x89, PNG, 0x0d, 0x0a, 0x1a, 0x0a]
  - id: chunks
    type: chunk
    repeat: until
    repeat-until: _.type == "IEND" or _io.eof
types:
  chunk:
    seq:
      - id: length
        type: u4
      - id: type
        type: str
        size: 4
        encoding: ISO-8859-1
      - id: body
        size: length
        type:
          switch-on: type
          cases:
            '"IHDR"': ihdr
            '"PLTE"': plte
            '"gAMA"': gama
            '"pHYs"': phys
            '"tIME"': time
            '"tEXt"': text
            '"bKGD"': bkgd
      - id: crc
        type: u4
  ihdr:
    seq:
      - id: width
        type: u4
      - id: height
        type: u4
      - id: bit_depth
        type: u1
      - id: color_type
        type: u1
        enum: color_type
      - id: compression_method
        type: u1
      - id: filter_method
        type: u1
      - id: interlace_method
        type: u1
  plte:
    seq:
      - id: entries
        type: rgb
        repeat: eos
  rgb:
    seq:
      - id: r
        type: u1
      - id: g
        type: u1
      - id: b
        type: u1
  gama:
    seq:
      - id: gamma_100000
        type: u4
  phys:
    seq:
      - id: pixels_per_unit_x
        type: u4
      - id: pixels_per_unit_y
        type: u4
      - id: unit
        type: u1
        enum: phys_unit
  time:
    seq:
      - id: year
        type: u2
      - id: month
        type: u1
      - id: day
        type: u1
      - id: hour
        type: u1
      - id: minute
        type: u1
      - id: second
        type: u1
  text:
    seq:
      - id: keyword
        type: strz
        encoding: ISO-8859-1
      - id: text
        type: str
        size-eos: true
        encoding: ISO-8859-1
  bkgd:
    seq:
      - id: value
        size-eos: true
enums:
  color_type:
    0: greyscale
    2: truecolor
    3: indexed
    4: greyscale_alpha
    6: truecolor_alpha
  phys_unit:
    0: unknown
    1: meter
