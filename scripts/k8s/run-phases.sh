#!/usr/bin/env bash
# Runs a thresher pipeline on Kubernetes: one indexed Job per phase, in order, each waited for.
#
#   IMAGE=registry/thresher:0.1 PVC=crawl-data scripts/k8s/run-phases.sh PIPELINE OUTPUT INPUT MAX_PODS
#
# PIPELINE, OUTPUT and INPUT are paths inside the pods (on the PVC, mounted at /data). The plan
# (phases and their units) is read by running `thresher run --plan` locally with the same
# paths when they exist here, else from a pod (set PLAN_FILE to a saved plan to skip that).
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
    PHASE=$phase UNITS=$n JOB_NAME=$job PIPELINE=$pipeline INPUT=$input OUTPUT=$out \
        envsubst <"$here/phase-job.yaml" | kubectl apply -f -
    kubectl wait --for=condition=complete --timeout=24h "job/thresher-$job"
done <"$plan"
kubectl run "thresher-finish-$$" --rm -i --restart=Never --image="$IMAGE" \
    --overrides="{\"spec\":{\"volumes\":[{\"name\":\"data\",\"persistentVolumeClaim\":{\"claimName\":\"$PVC\"}}],\"containers\":[{\"name\":\"f\",\"image\":\"$IMAGE\",\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/data\"}],\"command\":[\"thresher\",\"run\",\"$pipeline\",\"--input\",\"$input\",\"--output\",\"$out\",\"--phase\",\"finish\"]}]}}"
