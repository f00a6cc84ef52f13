#compdef bench
# zsh completion for bench: the bash completion, loaded through zsh's
# bashcompinit, so both shells complete alike. `make install` writes the
# bash file's installed path below.
autoload -U +X bashcompinit && bashcompinit
source "@BASH_COMPLETION@"
