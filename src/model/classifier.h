/*
** classifier.h -- ML-program classifiers: lowered the way Apple's compiler
** lowers them, and restored (the reverse) when a bundle is read back.
*/
#ifndef MLCC_CLASSIFIER_H
#define MLCC_CLASSIFIER_H

#include "mlcc.h"
#include "model/model.h"

/* If 'm' is an ML-program classifier (the description names a predicted
** feature and a function ends in a `classify` op producing its outputs),
** remove that op from the function, make its 'probabilities' input the
** function's only output, and record the labels in m->classifier.
** Returns MLCC_OK also when 'm' is no classifier; 'm' is MODEL_LOWERED
** afterwards either way (it was MODEL_READ). */
MLCC_MUST_CHECK int classifier_lower(struct model *m, struct mlcc_diag *d);

/* Undo classifier_lower() on 'm' and on every child of a pipeline: append
** `classify(probabilities = <prob_var>, classes = <labels>)` to the
** classifier's function (m->classifier.func, else the description's
** defaultFunctionName, else "main", else the only function), with outputs
** named after the description's predictedFeatureName (string or int64
** scalar) and predictedProbabilitiesName (dict<label type, fp64>),
** attribute name = "classify_0", and make those two the function's
** outputs; then clear m->classifier.  Nothing to do (MLCC_OK) when no
** classifier was lowered (m->classifier.prob_var is NULL).  New objects
** come from m->arena.  A bundle read back becomes its source's model. */
MLCC_MUST_CHECK int classifier_restore(struct model *m, struct mlcc_diag *d);

/* The same without touching 'm': '*out' is 'm' itself when no classifier
** was lowered, else a restored shallow copy allocated from 'a' (for
** writers, which never modify a model). */
MLCC_MUST_CHECK int classifier_restored(struct arena *a, const struct model *m,
					const struct model **out, struct mlcc_diag *d);

#endif
