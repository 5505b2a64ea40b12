# bash_complete.zsh COMPLETION LINE -- the command line an interactive bash
# (in a pseudo-terminal, driven with zsh/zpty) holds after LINE and one
# Tab, with COMPLETION sourced: bash's own word splitting, compopt and
# insertion, end to end.  Printed as "LINE:<the line>".  Used by
# test_completion.sh.
zmodload zsh/zpty || exit 77
comp=$1 line=$2
zpty b bash --norc --noprofile -i
zpty -w b "PS1='> '; bind 'set bell-style none'; . $comp"
sleep 0.3
zpty -w -n b "$line"$'\t'
sleep 0.5 # let the completion run before the next keys arrive
# Make the line print itself: echo "LINE:<line>".
zpty -w -n b $'\C-a'"echo \"LINE:"$'\C-e'"\""$'\n'
out=
for i in {1..100}; do # up to 10 s for the echo to come back
	while zpty -rt b chunk; do out+=$chunk; done
	[[ $out == *$'\n'LINE:* ]] && break
	sleep 0.1
done
zpty -d b
print -rl -- ${(M)${(f)out//$'\r'/}:#LINE:*}
