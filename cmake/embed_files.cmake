# Writes a C++ source that holds files as byte arrays (no raw string literals:
# they have per-literal size limits on some compilers), returned by one function
# as a std::vector<embedded_file>{name, text}. Used for the event catalog and
# the web console's assets.
# Usage: cmake "-DFILES=<a>|<b>|..." -DOUT=<generated .cpp> -DHEADER=<include path>
#              -DNAMESPACE=<ns> -DFUNCTION=<name> -DSOURCE=<what, for the comment>
#              -P embed_files.cmake
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

set(text "// Generated from ${SOURCE} by cmake/embed_files.cmake; do not edit.
#include \"${HEADER}\"

namespace ${NAMESPACE} {

namespace {

${arrays}} // namespace

std::vector<embedded_file> ${FUNCTION}() {
  return {
${table}  };
}

} // namespace ${NAMESPACE}
")

file(WRITE "${OUT}" "${text}")
