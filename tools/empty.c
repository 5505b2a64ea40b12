/* empty.c -- libmlcc.so is made of the mlcc_core archive; CMake wants a source. */
