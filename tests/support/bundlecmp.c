/*
** bundlecmp.c -- compare two compiled bundles the way the golden test does.
**
** usage: bundlecmp EXPECTED.mlmodelc GOT.mlmodelc
** Exit 0 when identical (up to Apple's user-metadata order), else 1 with
** the first difference on stdout.
*/
#include <stdio.h>

#include "testkit.h"

int main(int argc, char **argv)
{
	char why[600];

	if (argc != 3) {
		fprintf(stderr, "usage: bundlecmp EXPECTED GOT\n");
		return 2;
	}
	if (tk_same_bundle(argv[1], argv[2], why, sizeof why))
		return 0;
	printf("%s\n", why);
	return 1;
}
