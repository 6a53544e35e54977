#!/usr/bin/env bash
# Runs a thresher pipeline on Kubernetes: one indexed Job per phase, in order, each waited for.
#
#   IMAGE=registry/thresher:0.1 PVC=crawl-data scripts/k8s/run-phases.sh PIPELINE OUTPUT INPUT MAX_PODS
#
# PIPELINE, OUTPUT and INPUT are paths inside the pods (on the PVC, mounted at /data). The plan
# (phases and their units) comes from `thresher run --plan` run here with the same paths (the
# volume mounted at the same place), or from PLAN_FILE: the output of that command run in a pod.
# A phase's Job is replaced if it exists (finished units are skipped on a rerun); the script
# stops at the first Job that fails.
set -euo pipefail
pipeline=$1 out=$2 input=$3 max=$4
here=$(dirname "$0")
plan=${PLAN_FILE:-}
if [ -z "$plan" ]; then
    plan=$(mktemp)
    thresher run "$pipeline" --input "$input" --output "$out" --plan >"$plan"
fi
while IFS= read -r line; do
    phase=$(sed -E 's/.*"name":"([^"]+)".*/\1/' <<<"$line")
    units=$(sed -E 's/.*"units":([0-9]+).*/\1/' <<<"$line")
    n=$(( units < max ? units : max ))
    job=$(tr '.' '-' <<<"$phase")
    [ "$n" -gt 0 ] || continue
    kubectl delete job "thresher-$job" --ignore-not-found --wait=true
    PHASE=$phase UNITS=$n JOB_NAME=$job PIPELINE=$pipeline INPUT=$input OUTPUT=$out \
        envsubst <"$here/phase-job.yaml" | kubectl apply -f -
    # Wait for Complete or Failed (`kubectl wait` for one condition would hang on the other).
    while :; do
        state=$(kubectl get job "thresher-$job" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')
        case "$state" in
            *Complete*) break ;;
            *Failed*) echo "run-phases: job thresher-$job failed" >&2; exit 1 ;;
        esac
        sleep 10
    done
done <"$plan"
# `finish` as a one-unit Job of its own, waited for like the phases.
kubectl delete job thresher-finish --ignore-not-found --wait=true
PHASE=finish UNITS=1 JOB_NAME=finish PIPELINE=$pipeline INPUT=$input OUTPUT=$out \
    envsubst <"$here/phase-job.yaml" | kubectl apply -f -
kubectl wait --for=condition=complete --timeout=1h job/thresher-finish
