# zsh_complete.zsh COMPLETION_DIR LINE -- the candidates zsh's completion
# system offers for LINE (cursor at its end), one per line, sorted: an
# interactive zsh in a pseudo-terminal (zsh/zpty) with COMPLETION_DIR on
# fpath, whose compadd is wrapped to print every match it is given.
# Used by test_completion.sh.
zmodload zsh/zpty || exit 77
dir=$1 line=$2
zpty z zsh -f -i
zpty -w z "PS1=''; fpath=($dir \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd () { local -a h; builtin compadd -O h "$@"; (( $#h )) && print -rl -- "" "HIT:"${^h}; builtin compadd "$@" }'
zpty -w z "zstyle ':completion:*' menu no; print READY"
zpty -r z x '*READY*'
zpty -r z x '*READY*'
zpty -w -n z "$line"$'\t'
sleep 0.5 # let the completion run before the next keys arrive
zpty -w z $'\C-u'"print DONE"
out=
while zpty -r z chunk; do
	out+=$chunk
	[[ $out == *DONE*DONE* || $out == *$'\n'DONE* ]] && break
done
zpty -d z
print -rl -- ${(M)${(f)out//$'\r'/}:#HIT:*} | sed 's/^HIT://' | sort -u
