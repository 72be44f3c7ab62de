# hpolab-report.sh: report metrics to hpolab (or Syne Tune) from a shell
# script. Source it (POSIX sh, dash, bash, zsh in sh mode), then call
# hpolab_report with key/value pairs:
#
#   . /path/to/tools/shell/hpolab-report.sh
#   hpolab_report epoch 3 val_loss 0.5 optimizer adam
#
# prints one line on stdout, as Syne Tune's Reporter does:
#
#   [tune-metric]: {"epoch": 3, "val_loss": 0.5, "optimizer": "adam", "st_worker_timestamp": 1700000123.456789012, "st_worker_time": 4.2, "st_worker_iter": 0}
#
# Values that are JSON numbers (-1, 0.5, 1e-05, 2E+3), true, false, NaN,
# Infinity and -Infinity are written as they are; anything else becomes a
# JSON string (quotes, backslashes and control characters escaped; other
# text, UTF-8 included, is kept). So ".5" or "1." are strings: write "0.5".
#
# st_worker_timestamp is `date +%s.%N` (whole seconds where date has no %N);
# st_worker_time counts from the moment this file was sourced, on the same
# wall clock (the shell has no monotonic clock); st_worker_iter counts the
# reports of this shell, from 0. A report made in a subshell, e.g. inside
# $(...) or a pipeline, does not advance the counter of its parent: call
# hpolab_report in the script's own shell.
#
# Errors (nothing is printed on stdout, a message goes to stderr, status 1):
# an odd number of arguments, an empty key, a key starting with "st_"
# (reserved), a key given twice, "null" as a value, a line of 50 000 bytes
# or more.
#
# Every name this file defines starts with hpolab_ or _hpolab_.

_hpolab_now_ns() {
    _hpolab_t=$(date +%s.%N 2>/dev/null)
    case $_hpolab_t in
    *[!0-9.]* | *.*.* | .* | *. | '')
        _hpolab_t=$(date +%s).000000000 ;;
    esac
    # seconds and nanoseconds, padded to 9 digits, as one integer
    _hpolab_ns=${_hpolab_t#*.}000000000
    _hpolab_ns=${_hpolab_ns%"${_hpolab_ns#?????????}"}
    while :; do
        case $_hpolab_ns in
        0?*) _hpolab_ns=${_hpolab_ns#0} ;;
        *) break ;;
        esac
    done
    _hpolab_now=$(( ${_hpolab_t%%.*} * 1000000000 + _hpolab_ns ))
}

# A decimal text of ns nanoseconds as seconds, without trailing zeros:
# 41700000000 -> 41.7, 3000000000 -> 3.0.
_hpolab_seconds() {
    _hpolab_s=$(( $1 / 1000000000 ))
    _hpolab_f=$(( $1 % 1000000000 + 1000000000 ))
    _hpolab_f=${_hpolab_f#1}
    while :; do
        case $_hpolab_f in
        ?*0) _hpolab_f=${_hpolab_f%0} ;;
        *) break ;;
        esac
    done
    _hpolab_out=$_hpolab_s.$_hpolab_f
}

# Is $1 a JSON number?
_hpolab_is_number() {
    _hpolab_n=${1#-}
    case $_hpolab_n in
    '' | *[!0-9.eE+-]*) return 1 ;;
    esac
    _hpolab_i=${_hpolab_n%%[.eE]*}
    _hpolab_r=${_hpolab_n#"$_hpolab_i"}
    case $_hpolab_i in
    0) ;;
    [1-9] | [1-9]*[0-9])
        case $_hpolab_i in *[!0-9]*) return 1 ;; esac ;;
    *) return 1 ;;
    esac
    case $_hpolab_r in
    .*)
        _hpolab_r=${_hpolab_r#.}
        _hpolab_f=${_hpolab_r%%[eE]*}
        case $_hpolab_f in '' | *[!0-9]*) return 1 ;; esac
        _hpolab_r=${_hpolab_r#"$_hpolab_f"} ;;
    esac
    case $_hpolab_r in
    '') return 0 ;;
    [eE]*)
        _hpolab_r=${_hpolab_r#?}
        _hpolab_r=${_hpolab_r#[+-]}
        case $_hpolab_r in '' | *[!0-9]*) return 1 ;; esac
        return 0 ;;
    esac
    return 1
}

# $1 as a JSON string, into _hpolab_out.
_hpolab_json_string() {
    case $1 in
    *[\\\"$_hpolab_ctl]*) ;;
    *)
        # nothing to escape (the loop below is slow on long text)
        _hpolab_out=\"$1\"
        return ;;
    esac
    _hpolab_rest=$1
    _hpolab_out='"'
    while [ -n "$_hpolab_rest" ]; do
        # the longest prefix that needs no escaping
        _hpolab_head=${_hpolab_rest%%[\\\"$_hpolab_ctl]*}
        _hpolab_out=$_hpolab_out$_hpolab_head
        _hpolab_rest=${_hpolab_rest#"$_hpolab_head"}
        [ -n "$_hpolab_rest" ] || break
        _hpolab_c=${_hpolab_rest%"${_hpolab_rest#?}"}
        _hpolab_rest=${_hpolab_rest#?}
        case $_hpolab_c in
        \\) _hpolab_out=$_hpolab_out'\\' ;;
        \") _hpolab_out=$_hpolab_out'\"' ;;
        "$_hpolab_nl") _hpolab_out=$_hpolab_out'\n' ;;
        "$_hpolab_tab") _hpolab_out=$_hpolab_out'\t' ;;
        "$_hpolab_cr") _hpolab_out=$_hpolab_out'\r' ;;
        "$_hpolab_bs") _hpolab_out=$_hpolab_out'\b' ;;
        "$_hpolab_ff") _hpolab_out=$_hpolab_out'\f' ;;
        *) _hpolab_out=$_hpolab_out$(printf '\\u%04x' "'$_hpolab_c") ;;
        esac
    done
    _hpolab_out=$_hpolab_out'"'
}

hpolab_report() {
    if [ $(( $# % 2 )) -ne 0 ] || [ $# -eq 0 ]; then
        echo "hpolab_report: expected key value pairs (an even number of" \
             "arguments), got $# arguments" >&2
        return 1
    fi
    _hpolab_json='{'
    _hpolab_keys=$_hpolab_nl
    while [ $# -gt 0 ]; do
        case $1 in
        '')
            echo "hpolab_report: a key must not be empty" >&2
            return 1 ;;
        st_*)
            echo "hpolab_report: $1: keys starting with 'st_' are reserved" \
                 "for the reporter" >&2
            return 1 ;;
        esac
        case $_hpolab_keys in
        *"$_hpolab_nl$1$_hpolab_nl"*)
            echo "hpolab_report: $1: key given twice" >&2
            return 1 ;;
        esac
        _hpolab_keys=$_hpolab_keys$1$_hpolab_nl
        _hpolab_json_string "$1"
        [ "$_hpolab_json" = '{' ] || _hpolab_json="$_hpolab_json, "
        _hpolab_json="$_hpolab_json$_hpolab_out: "
        case $2 in
        true | false | NaN | Infinity | -Infinity)
            _hpolab_json=$_hpolab_json$2 ;;
        null)
            echo "hpolab_report: $1: null cannot be reported" >&2
            return 1 ;;
        *)
            if _hpolab_is_number "$2"; then
                _hpolab_json=$_hpolab_json$2
            else
                _hpolab_json_string "$2"
                _hpolab_json=$_hpolab_json$_hpolab_out
            fi ;;
        esac
        shift 2
    done
    _hpolab_now_ns
    _hpolab_seconds "$_hpolab_now"
    _hpolab_json="$_hpolab_json, \"st_worker_timestamp\": $_hpolab_out"
    _hpolab_d=$(( _hpolab_now - HPOLAB_REPORT_START_NS ))
    [ "$_hpolab_d" -ge 0 ] || _hpolab_d=0   # the wall clock went back
    _hpolab_seconds "$_hpolab_d"
    _hpolab_json="$_hpolab_json, \"st_worker_time\": $_hpolab_out"
    _hpolab_json="$_hpolab_json, \"st_worker_iter\": $HPOLAB_REPORT_ITER}"
    _hpolab_line="[tune-metric]: $_hpolab_json"
    # bytes, not characters, whatever the locale
    _hpolab_len=$(printf '%s\n' "$_hpolab_line" | wc -c)
    if [ "$_hpolab_len" -ge 50000 ]; then
        echo "hpolab_report: a report line must be shorter than 50000" \
             "bytes, this one has $(( _hpolab_len ))" >&2
        return 1
    fi
    printf '%s\n' "$_hpolab_line" || return 1
    HPOLAB_REPORT_ITER=$(( HPOLAB_REPORT_ITER + 1 ))
}

# Characters escaped in JSON strings (U+0001..U+001F); a trailing x keeps
# the command substitution from dropping the newline.
_hpolab_ctl=$(printf '\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037x')
_hpolab_ctl=${_hpolab_ctl%x}
_hpolab_nl='
'
_hpolab_tab=$(printf '\tx')
_hpolab_tab=${_hpolab_tab%x}
_hpolab_cr=$(printf '\rx')
_hpolab_cr=${_hpolab_cr%x}
_hpolab_bs=$(printf '\bx')
_hpolab_bs=${_hpolab_bs%x}
_hpolab_ff=$(printf '\fx')
_hpolab_ff=${_hpolab_ff%x}

# Sourcing starts a new reporter: clock and counter from zero.
_hpolab_now_ns
HPOLAB_REPORT_START_NS=$_hpolab_now
HPOLAB_REPORT_ITER=0
