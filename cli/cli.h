/*
** cli.h -- command-line front ends that live in the library.
*/
#ifndef MLCC_CLI_H
#define MLCC_CLI_H

/* Apple's coremlcompiler argv (coremlc_cli.c); 'tool' is the name it was
** invoked as, used in messages.  Returns the exit status. */
int coremlc_main(const char *tool, int argc, char **argv);

#endif
