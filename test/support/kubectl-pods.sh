#!/bin/sh
# A stand-in kubectl for the label-selector tests (test/pods-selector.test.ts); pod.test.ts has its own.
# Each call's arguments go to $KUBECTL_LOG on one line, separated by the unit separator (\037), so that
# arguments with blanks ("app in (a,b)") keep their bounds. Then:
#   get pods ...  prints the file $KUBECTL_PODS (a `kubectl get pods -o json` list), or, when
#                 $KUBECTL_GET_ERROR is set, prints it on stderr and exits 1, as kubectl does.
#   exec POD ...  appends "start POD" and "end POD" to $KUBECTL_EVENTS around $KUBECTL_SLEEP seconds
#                 of sleep ($KUBECTL_SLOW for a pod named *slow*), to count the processes running at once
#                 and to order their ends, then answers by the pod's name:
#                   *broken*   Error from server (NotFound), exit 1
#                   *nopilot*  no pilot-agent in the container (exit 126); curl prints the dump
#                   otherwise  the dump: $KUBECTL_DUMP_DIR/POD.json when that file exists, else the file $KUBECTL_DUMP
line=$(printf '%s\037' "$@")
printf '%s\n' "$line" >> "${KUBECTL_LOG:?}"
while [ "$1" = --context ] || [ "$1" = --kubeconfig ]; do shift 2; done
case "$1" in
  get)
    if [ -n "$KUBECTL_GET_ERROR" ]; then printf '%s\n' "$KUBECTL_GET_ERROR" >&2; exit 1; fi
    cat "${KUBECTL_PODS:?}"
    exit 0
    ;;
  exec)
    pod="$2"
    [ -n "$KUBECTL_EVENTS" ] && printf 'start %s\n' "$pod" >> "$KUBECTL_EVENTS"
    case "$pod" in
      *slow*) [ -n "$KUBECTL_SLOW" ] && sleep "$KUBECTL_SLOW" ;;
      *) [ -n "$KUBECTL_SLEEP" ] && sleep "$KUBECTL_SLEEP" ;;
    esac
    case "$pod:$*" in
      *broken*:*) printf 'Error from server (NotFound): pods "%s" not found\n' "$pod" >&2; st=1 ;;
      *nopilot*:*pilot-agent*)
        echo 'OCI runtime exec failed: exec failed: unable to start container process: exec: "pilot-agent": executable file not found in $PATH: unknown' >&2
        echo 'command terminated with exit code 126' >&2
        st=126 ;;
      *) if [ -n "$KUBECTL_DUMP_DIR" ] && [ -f "$KUBECTL_DUMP_DIR/$pod.json" ]; then cat "$KUBECTL_DUMP_DIR/$pod.json"; else cat "${KUBECTL_DUMP:?}"; fi; st=0 ;;
    esac
    [ -n "$KUBECTL_EVENTS" ] && printf 'end %s\n' "$pod" >> "$KUBECTL_EVENTS"
    exit $st
    ;;
esac
echo "unexpected call: $*" >&2
exit 1
