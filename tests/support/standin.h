/*
** standin.h -- stand-in weight files for corpus items published without
** their weights (see standin.c).
*/
#ifndef MLCC_STANDIN_H
#define MLCC_STANDIN_H

/* Write, under 'root' (the directory @model_path names), one blob storage
** file for every file the model.mil at 'mil_path' references, with a valid
** record and zero data at every referenced offset.  Returns the number of
** files written (0: the program references none), -1 on failure. */
int tk_standin_weights(const char *mil_path, const char *root);

#endif
