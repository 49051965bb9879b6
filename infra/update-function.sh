#!/usr/bin/env bash
# Render the viewer-request function with a build's alias redirects and publish it to
# CloudFront (the stack creates it from the checked-in code, without aliases).
# Usage: infra/update-function.sh public/quire-manifest.json FUNCTION_NAME
# Needs the AWS CLI v2 with credentials allowed cloudfront:DescribeFunction,
# UpdateFunction and PublishFunction.
set -euo pipefail
manifest=$(realpath "${1:?usage: $0 MANIFEST FUNCTION_NAME}")
name=${2:?usage: $0 MANIFEST FUNCTION_NAME}
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$here/.venv/bin/python}
code=$(mktemp --suffix=.js)
trap 'rm -f "$code"' EXIT

(cd "$here" && "$python" -m builder.publish.cloudfront_function "$manifest" -o "$code")
etag=$(aws cloudfront describe-function --name "$name" --stage DEVELOPMENT \
    --query ETag --output text)
# Same comment and runtime as infra/cloudformation.yaml, so the stack sees no drift there.
etag=$(aws cloudfront update-function --name "$name" --if-match "$etag" \
    --function-config '{"Comment": "Quire index.html mapping, slash and alias redirects, odd-path refusal", "Runtime": "cloudfront-js-2.0"}' \
    --function-code "fileb://$code" --query ETag --output text)
aws cloudfront publish-function --name "$name" --if-match "$etag" \
    --query 'FunctionSummary.{name:Name,status:Status,stage:FunctionMetadata.Stage}'
