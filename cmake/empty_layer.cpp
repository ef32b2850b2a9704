// The source of a layer whose folder has no source file yet (cmake/layers.cmake):
// an object library needs one.
