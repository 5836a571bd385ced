# cmake -DSYMBOL=name -DINPUT=file -DOUTPUT=file.cpp -P Embed.cmake
file(READ "${INPUT}" content HEX)
string(LENGTH "${content}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE "${OUTPUT}"
  "#include <string_view>\n"
  "namespace bindscan::embedded {\n"
  "static const char k${SYMBOL}Bytes[] = {${bytes} '\\0'};\n"
  "extern const std::string_view ${SYMBOL};\n"
  "const std::string_view ${SYMBOL}(k${SYMBOL}Bytes, ${size});\n"
  "}\n")
