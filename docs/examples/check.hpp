// The porting guide's examples check what they compute; a wrong result fails their test.
// Kept out of the snippets that docs/porting.md shows.
#pragma once

#include <cstdio>
#include <cstdlib>

inline void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "FAILED: %s\n", what);
  std::exit(1);
}
