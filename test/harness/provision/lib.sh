# Shared helpers for provision/<tool>.sh scripts. Sourced, not run.
# tool_dir NAME VERSION  -> prints $PA_CACHE/tools/NAME/VERSION
tool_dir() { echo "$PA_CACHE/tools/$1/$2"; }
# have_tool NAME VERSION BIN -> true when the executable is already cached
have_tool() { [ -x "$(tool_dir "$1" "$2")/bin/$3" ]; }
# stage_dir NAME VERSION -> a fresh temporary folder next to the final one (same filesystem)
stage_dir() { local d; mkdir -p "$PA_CACHE/tools/$1"; d="$(mktemp -d "$PA_CACHE/tools/$1/.stage-$2.XXXXXX")"; echo "$d"; }
# commit_dir NAME VERSION STAGE -> atomically move STAGE into place
commit_dir() { local final; final="$(tool_dir "$1" "$2")"; rm -rf "$final"; chmod 755 "$3"; mv "$3" "$final"; }
export -f tool_dir have_tool stage_dir commit_dir
