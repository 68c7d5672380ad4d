# Writes a C++ source that holds every events/catalog/*.json file as a byte array
# (no raw string literals: they have per-literal size limits on some compilers).
# Usage: cmake "-DFILES=<a.json>|<b.json>|..." -DOUT=<generated .cpp> -P embed_catalog.cmake
string(REPLACE "|" ";" files "${FILES}")

set(arrays "")
set(table "")
set(i 0)
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME)
  file(READ "${f}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  # Break the initializer into lines of 16 bytes to keep the file readable.
  string(REGEX REPLACE "((0x..,){16})" "\\1\n    " bytes "${bytes}")
  string(APPEND arrays "const unsigned char file_${i}[] = {\n    ${bytes}0x00};\n\n")
  string(APPEND table
         "      {\"${name}\", std::string_view{reinterpret_cast<const char*>(file_${i}), ${size}}},\n")
  math(EXPR i "${i} + 1")
endforeach()

set(text "// Generated from events/catalog/*.json by events/embed_catalog.cmake; do not edit.
#include \"events/catalog_data.hpp\"

namespace sluice::events::detail {

namespace {

${arrays}} // namespace

std::vector<embedded_file> embedded_catalog() {
  return {
${table}  };
}

} // namespace sluice::events::detail
")

file(WRITE "${OUT}" "${text}")
