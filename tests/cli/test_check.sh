#!/bin/sh
# test_check.sh MLCC MKPKG -- the op check (src/ops/, docs/OPS.md): ill-typed
# programs written here as model.mil text, each refused by `mlcc check` with
# its exact message and exit status 1; `mlcc assemble` and `mlcc compile`
# refuse them before writing anything; unknown op types are warnings.
#
# No corpus needed: every program is written by this script.
mlcc=$1
mkpkg=$2
. "$(dirname "$0")/lib.sh"
setup check

# mil NAME IOS SIGNATURE RESULTS: $work/NAME.mil, a function 'main' whose
# body is read from stdin, one op per line.  Ops start at line 4, column 13.
mil() {
	f=$work/$1.mil
	dialect=1.0
	[ "$2" = ios18 ] && dialect=1.3
	{
		echo "program($dialect)"
		echo "{"
		echo "    func main<$2>($3) {"
		sed 's/^/            /'
		echo "        } -> ($4);"
		echo "}"
	} >"$f"
}

# refuse NAME LINE WANT: `mlcc check NAME.mil` exits 1 with exactly
# "mlcc: error: NAME.mil:LINE:13: function 'main': WANT".
refuse() {
	n=$((n + 1))
	want="mlcc: error: $work/$1.mil:$2:13: function 'main': $3"
	"$mlcc" check "$work/$1.mil" >"$work/stdout" 2>"$work/stderr"
	rc=$?
	got=$(cat "$work/stderr")
	if [ "$rc" = 1 ] && [ "$got" = "$want" ] && [ ! -s "$work/stdout" ]; then
		ok "$1"
	else
		bad "$1"
		echo "  exit:   $rc (want 1)"
		echo "  stderr: $got"
		echo "  want:   $want"
	fi
}

# ---- inputs: names, required, dtypes, constness, opsets ----------------------

mil unknown_input ios17 'tensor<fp32, [2]> x' y <<'E'
tensor<fp32, [2]> y = relu(x = x, alpha = x);
E
refuse unknown_input 4 "op 'y' (relu): unknown input 'alpha'"

mil missing_input ios17 'tensor<fp32, [2]> x' y <<'E'
tensor<fp32, [2]> y = add(x = x);
E
refuse missing_input 4 "op 'y' (add): missing required input 'y'"

mil wrong_dtype ios17 'tensor<fp32, [2]> x' y <<'E'
tensor<bool, [2]> y = logical_and(x = x, y = x);
E
refuse wrong_dtype 4 "op 'y' (logical_and): input 'x' has dtype fp32, expected bool"

mil wrong_dtype_int ios16 'tensor<int32, [2, 3]> x' y <<'E'
tensor<int32, [2, 3]> y = softmax(x = x);
E
refuse wrong_dtype_int 4 "op 'y' (softmax): input 'x' has dtype int32, expected fp16 or fp32"

mil domain_mismatch ios17 'tensor<fp16, [2]> a, tensor<fp32, [2]> b' y <<'E'
tensor<fp16, [2]> y = mul(x = a, y = b);
E
refuse domain_mismatch 4 "op 'y' (mul): input 'y' has dtype fp32, but the other inputs of type T have fp16"

mil not_const ios17 'tensor<fp32, [2, 3]> x' y <<'E'
tensor<int32, [2]> p = shape(x = x);
tensor<fp32, [3, 2]> y = transpose(perm = p, x = x);
E
refuse not_const 5 "op 'y' (transpose): input 'perm' must be a constant, but 'p' is computed"

mil not_in_opset ios17 'tensor<fp16, [1, 2, 4, 8]> q' y <<'E'
tensor<fp16, [1, 2, 4, 8]> y = scaled_dot_product_attention(key = q, query = q, value = q);
E
refuse not_in_opset 4 "op 'y' (scaled_dot_product_attention): not available in ios17 (new in ios18)"

mil state_as_tensor ios18 'state<tensor<fp16, [2]>> s' y <<'E'
tensor<fp16, [2]> y = relu(x = s);
E
refuse state_as_tensor 4 "op 'y' (relu): input 'x' is a state, expected a tensor"

mil tensor_as_state ios18 'tensor<fp16, [2]> s' y <<'E'
tensor<fp16, [2]> y = read_state(input = s);
E
refuse tensor_as_state 4 "op 'y' (read_state): input 'input' is a tensor, expected a state"

# ---- declared outputs against what the inputs give ----------------------------

mil out_dtype ios17 'tensor<fp32, [2]> x' y <<'E'
tensor<fp16, [2]> y = relu(x = x);
E
refuse out_dtype 4 "op 'y' (relu): output 'y' is declared tensor<fp16, [2]>, but its inputs give tensor<fp32, [2]>"

mil out_shape ios17 'tensor<fp32, [1, 4]> x' y <<'E'
tensor<fp32, [1, 5]> y = add(x = x, y = x);
E
refuse out_shape 4 "op 'y' (add): output 'y' is declared tensor<fp32, [1, 5]>, but its inputs give tensor<fp32, [1, 4]>"

mil out_rank ios16 'tensor<fp32, [2, 3]> x' y <<'E'
tensor<int32, [1]> a = const()[name = string("a"), val = tensor<int32, [1]>([1])];
tensor<bool, []> k = const()[name = string("k"), val = tensor<bool, []>(true)];
tensor<fp32, [2]> y = reduce_sum(axes = a, keep_dims = k, x = x);
E
refuse out_rank 6 "op 'y' (reduce_sum): output 'y' is declared tensor<fp32, [2]>, but its inputs give tensor<fp32, [2, 1]>"

mil cast_dtype ios17 'tensor<fp32, [3]> x' y <<'E'
tensor<string, []> t = const()[name = string("t"), val = string("fp16")];
tensor<int32, [3]> y = cast(dtype = t, x = x);
E
refuse cast_dtype 5 "op 'y' (cast): output 'y' is declared tensor<int32, [3]>, but its inputs give tensor<fp16, [3]>"

mil slice_shape ios17 'tensor<fp32, [4, 6]> x' y <<'E'
tensor<int32, [2]> b = const()[name = string("b"), val = tensor<int32, [2]>([1, 0])];
tensor<int32, [2]> e = const()[name = string("e"), val = tensor<int32, [2]>([3, 6])];
tensor<int32, [2]> s = const()[name = string("s"), val = tensor<int32, [2]>([1, 2])];
tensor<fp32, [2, 6]> y = slice_by_index(begin = b, end = e, stride = s, x = x);
E
refuse slice_shape 7 "op 'y' (slice_by_index): output 'y' is declared tensor<fp32, [2, 6]>, but its inputs give tensor<fp32, [2, 3]>"

mil topk_shape ios16 'tensor<fp16, [2, 10]> x' 'v, i' <<'E'
tensor<int32, []> k = const()[name = string("k"), val = tensor<int32, []>(3)];
tensor<fp16, [2, 3]> v, tensor<int32, [2, 4]> i = topk(k = k, x = x);
E
refuse topk_shape 5 "op 'v' (topk): output 'i' is declared tensor<int32, [2, 4]>, but its inputs give tensor<int32, [2, 3]>"

mil conv_shape ios16 'tensor<fp16, [1, 3, 32, 32]> x' y <<'E'
tensor<fp16, [8, 3, 3, 3]> w = const()[name = string("w"), val = tensor<fp16, [8, 3, 3, 3]>(BLOBFILE(path = string("@model_path/weights/weight.bin"), offset = uint64(64)))];
tensor<string, []> pt = const()[name = string("pt"), val = string("valid")];
tensor<fp16, [1, 8, 32, 32]> y = conv(pad_type = pt, weight = w, x = x);
E
refuse conv_shape 6 "op 'y' (conv): output 'y' is declared tensor<fp16, [1, 8, 32, 32]>, but its inputs give tensor<fp16, [1, 8, 30, 30]>"

# ---- the op families' own rules ----------------------------------------------

mil conv_rank ios15 'tensor<fp16, [1, 3, 32, 32]> x, tensor<fp16, [8, 3, 3]> w' y <<'E'
tensor<fp16, [1, 8, 30, 30]> y = conv(weight = w, x = x);
E
refuse conv_rank 4 "op 'y' (conv): weight has rank 3, expected 4"

mil conv_channels ios17 'tensor<fp16, [1, 6, 32, 32]> x, tensor<fp16, [8, 3, 3, 3]> w' y <<'E'
tensor<fp16, [1, 8, 30, 30]> y = conv(weight = w, x = x);
E
refuse conv_channels 4 "op 'y' (conv): x has 6 input channels, weight expects 3 (3 per group, groups 1)"

mil conv_input_rank ios17 'tensor<fp16, [6, 32]> x, tensor<fp16, [8, 6]> w' y <<'E'
tensor<fp16, [8, 32]> y = conv(weight = w, x = x);
E
refuse conv_input_rank 4 "op 'y' (conv): x has rank 2, expected 3 to 5"

mil broadcast ios17 'tensor<fp32, [2, 3]> a, tensor<fp32, [4, 3]> b' y <<'E'
tensor<fp32, [4, 3]> y = sub(x = a, y = b);
E
refuse broadcast 4 "op 'y' (sub): x [2, 3] and y [4, 3] do not broadcast"

mil matmul_inner ios17 'tensor<fp32, [2, 3]> a, tensor<fp32, [4, 5]> b' y <<'E'
tensor<fp32, [2, 5]> y = matmul(x = a, y = b);
E
refuse matmul_inner 4 "op 'y' (matmul): x [2, 3] and y [4, 5] do not multiply: inner dimensions 3 and 4 (transpose_x false, transpose_y false)"

mil linear_rank ios17 'tensor<fp32, [2, 3]> x' y <<'E'
tensor<fp32, [3]> w = const()[name = string("w"), val = tensor<fp32, [3]>([0x1p+0, 0x1p+1, 0x1.8p+1])];
tensor<fp32, [2, 1]> y = linear(weight = w, x = x);
E
refuse linear_rank 5 "op 'y' (linear): weight has rank 1, expected 2"

mil linear_features ios17 'tensor<fp32, [2, 3]> x' y <<'E'
tensor<fp32, [1, 2]> w = const()[name = string("w"), val = tensor<fp32, [1, 2]>([[0x1p+0, 0x1p+1]])];
tensor<fp32, [2, 1]> y = linear(weight = w, x = x);
E
refuse linear_features 5 "op 'y' (linear): x has 3 features, weight expects 2"

mil reshape_count ios17 'tensor<fp32, [2, 3]> x' y <<'E'
tensor<int32, [2]> s = const()[name = string("s"), val = tensor<int32, [2]>([4, 2])];
tensor<fp32, [4, 2]> y = reshape(shape = s, x = x);
E
refuse reshape_count 5 "op 'y' (reshape): x [2, 3] has 6 elements, shape [4, 2] cannot hold them"

mil perm_length ios17 'tensor<fp32, [2, 3, 4]> x' y <<'E'
tensor<int32, [2]> p = const()[name = string("p"), val = tensor<int32, [2]>([1, 0])];
tensor<fp32, [3, 2, 4]> y = transpose(perm = p, x = x);
E
refuse perm_length 5 "op 'y' (transpose): perm has 2 entries, x has rank 3"

mil perm_repeat ios17 'tensor<fp32, [2, 3]> x' y <<'E'
tensor<int32, [2]> p = const()[name = string("p"), val = tensor<int32, [2]>([1, 1])];
tensor<fp32, [3, 3]> y = transpose(perm = p, x = x);
E
refuse perm_repeat 5 "op 'y' (transpose): perm is not a permutation of 0..1"

mil concat_rank ios17 'tensor<fp32, [2, 3]> a, tensor<fp32, [2, 3, 1]> b' y <<'E'
tensor<int32, []> ax = const()[name = string("ax"), val = tensor<int32, []>(0)];
tensor<bool, []> il = const()[name = string("il"), val = tensor<bool, []>(false)];
tensor<fp32, [4, 3]> y = concat(axis = ax, interleave = il, values = (a, b));
E
refuse concat_rank 6 "op 'y' (concat): values 1 has shape [2, 3, 1], values 0 [2, 3]: ranks differ"

mil concat_dims ios17 'tensor<fp32, [2, 3]> a, tensor<fp32, [2, 4]> b' y <<'E'
tensor<int32, []> ax = const()[name = string("ax"), val = tensor<int32, []>(0)];
tensor<fp32, [4, 3]> y = concat(axis = ax, values = (a, b));
E
refuse concat_dims 5 "op 'y' (concat): values 1 has shape [2, 4], values 0 [2, 3]: they differ outside axis 0"

mil concat_dtype ios17 'tensor<fp32, [2, 3]> a, tensor<fp16, [2, 3]> b' y <<'E'
tensor<int32, []> ax = const()[name = string("ax"), val = tensor<int32, []>(0)];
tensor<fp32, [4, 3]> y = concat(axis = ax, values = (a, b));
E
refuse concat_dtype 5 "op 'y' (concat): values 1 has dtype fp16, values 0 fp32"

mil reduce_axis ios17 'tensor<fp32, [2, 3]> x' y <<'E'
tensor<int32, [1]> a = const()[name = string("a"), val = tensor<int32, [1]>([2])];
tensor<fp32, [2]> y = reduce_mean(axes = a, x = x);
E
refuse reduce_axis 5 "op 'y' (reduce_mean): axes holds 2, out of range for rank 2"

mil squeeze_size ios17 'tensor<fp32, [2, 3]> x' y <<'E'
tensor<int32, [1]> a = const()[name = string("a"), val = tensor<int32, [1]>([1])];
tensor<fp32, [2]> y = squeeze(axes = a, x = x);
E
refuse squeeze_size 5 "op 'y' (squeeze): axis 1 has size 3, not 1"

mil gather_axis ios17 'tensor<fp32, [5, 3]> x, tensor<int32, [2]> i' y <<'E'
tensor<int32, []> a = const()[name = string("a"), val = tensor<int32, []>(-3)];
tensor<fp32, [2, 3]> y = gather(axis = a, indices = i, x = x);
E
refuse gather_axis 5 "op 'y' (gather): axis -3 is out of range for rank 2"

mil split_count ios17 'tensor<fp32, [4, 6]> x' 'a, b' <<'E'
tensor<int32, []> ax = const()[name = string("ax"), val = tensor<int32, []>(1)];
tensor<int32, []> ns = const()[name = string("ns"), val = tensor<int32, []>(3)];
tensor<fp32, [4, 2]> a, tensor<fp32, [4, 2]> b = split(axis = ax, num_splits = ns, x = x);
E
refuse split_count 6 "op 'a' (split): num_splits is 3 for 2 outputs"

mil select_broadcast ios17 'tensor<bool, [3]> c, tensor<fp32, [2, 4]> a' y <<'E'
tensor<fp32, [2, 4]> y = select(a = a, b = a, cond = c);
E
refuse select_broadcast 4 "op 'y' (select): cond [3] and a and b [2, 4] do not broadcast"

mil expand_axis ios17 'tensor<fp32, [2]> x' y <<'E'
tensor<int32, [1]> a = const()[name = string("a"), val = tensor<int32, [1]>([3])];
tensor<fp32, [2, 1]> y = expand_dims(axes = a, x = x);
E
refuse expand_axis 5 "op 'y' (expand_dims): axes holds 3, out of range for rank 2"

mil sdpa_key ios18 'tensor<fp16, [1, 4, 8]> q, tensor<fp16, [1, 6, 16]> k' y <<'E'
tensor<fp16, [1, 4, 16]> y = scaled_dot_product_attention(key = k, query = q, value = k);
E
refuse sdpa_key 4 "op 'y' (scaled_dot_product_attention): query [1, 4, 8] and key [1, 6, 16] differ in their last dimension"

mil gather_nd_depth ios17 'tensor<fp32, [5, 3]> x, tensor<int32, [2, 3]> i' y <<'E'
tensor<fp32, [2]> y = gather_nd(indices = i, x = x);
E
refuse gather_nd_depth 4 "op 'y' (gather_nd): indices of depth 3 (batch_dims 0) exceed x's rank 2"

mil gather_nd_shape ios17 'tensor<fp32, [5, 3, 7]> x, tensor<int32, [4, 2]> i' y <<'E'
tensor<fp32, [4, 3]> y = gather_nd(indices = i, x = x);
E
refuse gather_nd_shape 4 "op 'y' (gather_nd): output 'y' is declared tensor<fp32, [4, 3]>, but its inputs give tensor<fp32, [4, 7]>"

mil softmax_axis ios17 'tensor<fp16, [2, 3]> x' y <<'E'
tensor<int32, []> a = const()[name = string("a"), val = tensor<int32, []>(2)];
tensor<fp16, [2, 3]> y = softmax(axis = a, x = x);
E
refuse softmax_axis 5 "op 'y' (softmax): axis 2 is out of range for rank 2"

mil linear_bias ios17 'tensor<fp32, [2, 2]> x' y <<'E'
tensor<fp32, [1, 2]> w = const()[name = string("w"), val = tensor<fp32, [1, 2]>([[0x1p+0, 0x1p+1]])];
tensor<fp32, [2]> b = const()[name = string("b"), val = tensor<fp32, [2]>([0x1p+0, 0x1p+1])];
tensor<fp32, [2, 1]> y = linear(bias = b, weight = w, x = x);
E
refuse linear_bias 6 "op 'y' (linear): bias [2] does not match 1 outputs"

mil write_state ios18 'state<tensor<fp16, [4]>> s, tensor<fp16, [2]> v' y <<'E'
write_state(data = v, input = s)[name = string("w")];
tensor<fp16, [4]> y = read_state(input = s);
E
refuse write_state 4 "op 'w' (write_state): data tensor<fp16, [2]> does not fit the state tensor<fp16, [4]>"

mil cond_type ios17 'tensor<fp32, [4]> x, tensor<bool, []> p' y <<'E'
tensor<fp32, [4]> y = cond(pred = p)[name = string("y")] {
    block0() {
        tensor<fp32, [4]> a = relu(x = x);
    } -> (a);
    block1() {
        tensor<int32, [4]> b = cast(dtype = string("int32"), x = x);
    } -> (b);
};
E
refuse cond_type 4 "op 'y' (cond): else block gives 'b' of type tensor<int32, [4]> for 'y' of type tensor<fp32, [4]>"

mil cond_count ios17 'tensor<fp32, [4]> x, tensor<bool, []> p' y <<'E'
tensor<fp32, [4]> y = cond(pred = p)[name = string("y")] {
    block0() {
        tensor<fp32, [4]> a = relu(x = x);
    } -> (a, a);
    block1() {
    } -> (x);
};
E
refuse cond_count 4 "op 'y' (cond): then block gives 2 values for 1 outputs"

mil loop_inputs ios17 'tensor<fp32, [4]> x' 'l0, l1' <<'E'
tensor<int32, []> z = const()[name = string("z"), val = tensor<int32, []>(0)];
tensor<fp32, [4]> l0, tensor<int32, []> l1 = while_loop(loop_vars = (x, z))[name = string("l")] {
    block0(tensor<fp32, [4]> a, tensor<fp32, []> i) {
        tensor<bool, []> c = const()[name = string("c"), val = tensor<bool, []>(false)];
    } -> (c);
    block1(tensor<fp32, [4]> a, tensor<int32, []> i) {
    } -> (a, i);
};
E
refuse loop_inputs 5 "op 'l' (while_loop): cond block input 'i' is tensor<fp32, []>, but loop_vars 1 is tensor<int32, []>"

mil pad_shape ios17 'tensor<fp32, [1, 3, 8]> x' y <<'E'
tensor<int32, [2]> p = const()[name = string("p"), val = tensor<int32, [2]>([1, 2])];
tensor<fp32, [1, 3, 10]> y = pad(pad = p, x = x);
E
refuse pad_shape 5 "op 'y' (pad): output 'y' is declared tensor<fp32, [1, 3, 10]>, but its inputs give tensor<fp32, [1, 3, 11]>"

mil tile_shape ios17 'tensor<fp32, [2, 3]> x' y <<'E'
tensor<int32, [2]> r = const()[name = string("r"), val = tensor<int32, [2]>([2, 2])];
tensor<fp32, [4, 3]> y = tile(reps = r, x = x);
E
refuse tile_shape 5 "op 'y' (tile): output 'y' is declared tensor<fp32, [4, 3]>, but its inputs give tensor<fp32, [4, 6]>"

mil lstm_rank ios17 'tensor<fp32, [5, 8]> x, tensor<fp32, [1, 4]> h' 'o, hn, cn' <<'E'
tensor<fp32, [16, 8]> wi = const()[name = string("wi"), val = tensor<fp32, [16, 8]>(BLOBFILE(path = string("@model_path/weights/weight.bin"), offset = uint64(64)))];
tensor<fp32, [16, 4]> wh = const()[name = string("wh"), val = tensor<fp32, [16, 4]>(BLOBFILE(path = string("@model_path/weights/weight.bin"), offset = uint64(640)))];
tensor<fp32, [1, 1, 4]> o, tensor<fp32, [1, 4]> hn, tensor<fp32, [1, 4]> cn = lstm(initial_c = h, initial_h = h, weight_hh = wh, weight_ih = wi, x = x);
E
refuse lstm_rank 6 "op 'o' (lstm): x has rank 2, expected 3 (sequence, batch, input)"

mil lstm_state ios17 'tensor<fp32, [5, 1, 8]> x, tensor<fp32, [1, 4]> h' 'o, hn, cn' <<'E'
tensor<fp32, [16, 8]> wi = const()[name = string("wi"), val = tensor<fp32, [16, 8]>(BLOBFILE(path = string("@model_path/weights/weight.bin"), offset = uint64(64)))];
tensor<fp32, [16, 4]> wh = const()[name = string("wh"), val = tensor<fp32, [16, 4]>(BLOBFILE(path = string("@model_path/weights/weight.bin"), offset = uint64(640)))];
tensor<fp32, [1, 1, 4]> o, tensor<fp32, [1, 4]> hn, tensor<fp32, [1, 8]> cn = lstm(initial_c = h, initial_h = h, weight_hh = wh, weight_ih = wi, x = x);
E
refuse lstm_state 6 "op 'o' (lstm): output 'cn' is declared tensor<fp32, [1, 8]>, but its inputs give tensor<fp32, [1, 4]>"

mil upsample ios16 'tensor<fp16, [1, 3, 10, 20]> x' y <<'E'
tensor<fp32, []> sh = const()[name = string("sh"), val = tensor<fp32, []>(0x1.8p+0)];
tensor<fp32, []> sw = const()[name = string("sw"), val = tensor<fp32, []>(0x1p+1)];
tensor<fp16, [1, 3, 15, 20]> y = upsample_nearest_neighbor(scale_factor_height = sh, scale_factor_width = sw, x = x);
E
refuse upsample 6 "op 'y' (upsample_nearest_neighbor): output 'y' is declared tensor<fp16, [1, 3, 15, 20]>, but its inputs give tensor<fp16, [1, 3, 15, 40]>"

mil depth_to_space ios17 'tensor<fp16, [1, 8, 3, 3]> x' y <<'E'
tensor<int32, []> b = const()[name = string("b"), val = tensor<int32, []>(3)];
tensor<fp16, [1, 1, 9, 9]> y = depth_to_space(block_size = b, x = x);
E
refuse depth_to_space 5 "op 'y' (depth_to_space): channels 8 is not divisible by 9"

mil flatten2d ios17 'tensor<fp32, [2, 3, 4]> x' y <<'E'
tensor<fp32, [2, 3]> y = flatten2d(x = x);
E
refuse flatten2d 4 "op 'y' (flatten2d): output 'y' is declared tensor<fp32, [2, 3]>, but its inputs give tensor<fp32, [2, 12]>"

mil argsort ios17 'tensor<fp32, [5]> x' y <<'E'
tensor<fp32, [5]> y = argsort(x = x);
E
refuse argsort 4 "op 'y' (argsort): output 'y' is declared tensor<fp32, [5]>, but its inputs give tensor<int32, [5]>"

# ---- what passes: unknown dims, the ok line, warnings -------------------------

mil flexible ios17 'tensor<fp32, [?, 3]> a, tensor<fp32, [4, ?]> b' y <<'E'
tensor<fp32, [4, 3]> y = add(x = a, y = b);
E
out=$("$mlcc" check "$work/flexible.mil" 2>&1)
[ $? = 0 ] && [ "$out" = "$work/flexible.mil: ok (1 functions, 1 ops)" ] &&
	ok "unknown dims never reject" || bad "flexible: $out"

mil custom ios17 'tensor<fp32, [2]> x' y <<'E'
tensor<fp32, [2]> y = my_custom_op(x = x);
E
"$mlcc" check "$work/custom.mil" >"$work/stdout" 2>"$work/stderr"
rc=$?
[ $rc = 0 ] && [ "$(cat "$work/stderr")" = "mlcc: warning: $work/custom.mil:4:13: function 'main': op 'y' (my_custom_op): unknown op type, not checked" ] &&
	[ "$(cat "$work/stdout")" = "$work/custom.mil: ok (1 functions, 1 ops)" ] &&
	ok "an unknown op type is a warning" || bad "custom op: exit $rc, $(cat "$work/stderr")"

# An opset after the catalogue's (ios26): what its iOS18 row does not allow
# is a warning, once per op type and input, not a failure.
mil newer ios26 'tensor<fp32, [2]> x, tensor<int8, [2]> i' 'z, w' <<'E'
tensor<fp32, [2]> y = relu(x = x, alpha = x);
tensor<fp32, [2]> z = relu(x = y, alpha = x);
tensor<int8, [2]> w = relu(x = i);
E
"$mlcc" check "$work/newer.mil" >"$work/stdout" 2>"$work/stderr"
rc=$?
want="mlcc: warning: $work/newer.mil:4:13: function 'main': op 'y' (relu): input 'alpha' is not in its iOS18 definition; not checked in ios26
mlcc: warning: $work/newer.mil:6:13: function 'main': op 'w' (relu): input 'x' has dtype int8, not fp16 or fp32 in its iOS18 definition; not checked in ios26"
[ $rc = 0 ] && [ "$(cat "$work/stderr")" = "$want" ] &&
	[ "$(cat "$work/stdout")" = "$work/newer.mil: ok (1 functions, 3 ops)" ] &&
	ok "ios26: inputs beyond the iOS18 definition warn once" ||
	bad "ios26 leniency: exit $rc, $(cat "$work/stderr")"

"$mlcc" check >/dev/null 2>&1
[ $? = 2 ] && ok "check without a model: usage, exit 2" || bad "check usage"

# ---- assemble and compile refuse before writing --------------------------------

"$mlcc" assemble "$work/conv_rank.mil" -o "$work/conv_rank.mlpackage" >"$work/stdout" 2>"$work/stderr"
rc=$?
[ $rc = 1 ] && [ ! -e "$work/conv_rank.mlpackage" ] &&
	[ "$(cat "$work/stderr")" = "mlcc: error: $work/conv_rank.mil:4:13: function 'main': op 'y' (conv): weight has rank 3, expected 4" ] &&
	ok "assemble refuses an ill-typed program, writes nothing" ||
	bad "assemble conv_rank: exit $rc, $(cat "$work/stderr")"

p=$work/logical.mlpackage
"$mkpkg" "$p" --op-type logical_and
expect "compile refuses an ill-typed package" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'y' (logical_and): input 'x' has dtype fp32, expected bool" "$p"
"$mlcc" check "$p" >/dev/null 2>"$work/stderr"
[ $? = 1 ] && ok "check of the package: exit 1" || bad "check package"

p=$work/custom.mlpackage
"$mkpkg" "$p" --op-type my_custom_op
mkdir -p "$work/cout"
"$mlcc" compile "$p" "$work/cout" >/dev/null 2>"$work/stderr"
rc=$?
[ $rc = 0 ] && [ -d "$work/cout/custom.mlmodelc" ] &&
	[ "$(cat "$work/stderr")" = "mlcc: warning: $p/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'y' (my_custom_op): unknown op type, not checked" ] &&
	ok "compile warns about an unknown op type and compiles" ||
	bad "compile custom: exit $rc, $(cat "$work/stderr")"

p=$work/good.mlpackage
"$mkpkg" "$p"
"$mlcc" compile "$p" "$work/cout" >/dev/null 2>&1
out=$("$mlcc" check "$work/cout/good.mlmodelc" 2>&1)
[ "$out" = "$work/cout/good.mlmodelc: ok (1 functions, 3 ops)" ] &&
	ok "check of a compiled bundle" || bad "check bundle: $out"

finish
