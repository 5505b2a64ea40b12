/*
** run_pending.c -- stand-ins for the CPU runtime's entry points (mlcc.h,
** "running models on the CPU") while the runtime is built elsewhere:
** every one fails with MLCC_E_UNSUPPORTED.  CMakeLists.txt leaves this
** file out as soon as src/api/run.c (the runtime) exists.
*/
#include "base/diag.h"

static int pending(struct mlcc_diag *d, const char *what)
{
	return diag_fail(d, MLCC_E_UNSUPPORTED, "%s: the CPU runtime is not part of this build",
			 what);
}

int mlcc_model_load(const char *path, const struct mlcc_load_options *options, mlcc_model **model,
		    struct mlcc_diag *diag)
{
	(void)options;
	*model = NULL;
	return pending(diag, path);
}

void mlcc_model_free(mlcc_model *model)
{
	(void)model;
}

size_t mlcc_model_function_count(const mlcc_model *model)
{
	(void)model;
	return 0;
}

const char *mlcc_model_function_name(const mlcc_model *model, size_t i)
{
	(void)model;
	(void)i;
	return NULL;
}

const char *mlcc_model_default_function(const mlcc_model *model)
{
	(void)model;
	return NULL;
}

int mlcc_model_signature(const mlcc_model *model, const char *function,
			 struct mlcc_signature *signature, struct mlcc_diag *diag)
{
	(void)model;
	(void)signature;
	return pending(diag, function ? function : "model");
}

int mlcc_state_new(const mlcc_model *model, const char *function, mlcc_state **state,
		   struct mlcc_diag *diag)
{
	(void)model;
	*state = NULL;
	return pending(diag, function ? function : "model");
}

void mlcc_state_free(mlcc_state *state)
{
	(void)state;
}

int mlcc_predict(mlcc_model *model, const char *function, const struct mlcc_tensor *inputs,
		 size_t ninputs, mlcc_state *state, struct mlcc_prediction *prediction,
		 struct mlcc_diag *diag)
{
	(void)model;
	(void)inputs;
	(void)ninputs;
	(void)state;
	prediction->noutputs = 0;
	prediction->outputs = NULL;
	prediction->internal = NULL;
	return pending(diag, function ? function : "model");
}

void mlcc_prediction_free(struct mlcc_prediction *prediction)
{
	(void)prediction;
}
