// shaddock init: scaffolds a new app project (docs/guide.md).
#pragma once

// Runs `shaddock init`; argv[0] is "init", the rest are its options. Returns the exit code:
// 0 the project was written, 1 it could not be (a non-empty folder without --force, a file that
// cannot be written), 2 a usage error.
int run_init(int argc, char **argv);
