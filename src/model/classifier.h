/*
** classifier.h -- lowering an ML-program classifier the way Apple does.
*/
#ifndef MLCC_CLASSIFIER_H
#define MLCC_CLASSIFIER_H

#include "mlcc.h"
#include "model/model.h"

/* If 'm' is an ML-program classifier (the description names a predicted
** feature and a function ends in a `classify` op producing its outputs),
** remove that op from the function, make its 'probabilities' input the
** function's only output, and record the labels in m->classifier.
** Returns MLCC_OK also when 'm' is no classifier. */
int classifier_lower(struct model *m, struct mlcc_diag *d);

#endif
