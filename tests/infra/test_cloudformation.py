"""The production CloudFormation template: lint-clean, in step with cloudfront/, and wired right.

AWS itself cannot run here, so the template is checked by cfn-lint (the AWS resource
schemas) and by reading it; the function and policies it embeds are tested for real in
tests/cloudfront/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.publish.cloudfront_function import render_viewer_request

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "cloudformation.yaml"
CLOUDFRONT = ROOT / "cloudfront"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags (!Ref, !Sub, ...) as their long form."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    # A SafeLoader subclass: only the CloudFormation tags are added.
    data: dict[str, Any] = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_CfnLoader)
    return data


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CFN_LINT), "--format", "parseable", "--", str(path)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_cfn_lint_reports_nothing() -> None:
    """No error, no warning: cfn-lint exits 0 with empty output."""
    proc = _lint(TEMPLATE)
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


def test_cfn_lint_catches_a_broken_template(tmp_path: Path) -> None:
    """The lint test can fail: a wrong property value is reported."""
    broken = tmp_path / "broken.yaml"
    text = TEMPLATE.read_text(encoding="utf-8")
    broken.write_text(text.replace("SslSupportMethod: sni-only", "SslSupportMethod: sometimes"))
    proc = _lint(broken)
    assert proc.returncode != 0
    assert "sometimes" in proc.stdout


def test_template_is_in_sync_with_cloudfront_folder() -> None:
    """The generated section equals what infra/sync_template.py renders from cloudfront/."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "infra" / "sync_template.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def _props(template: dict[str, Any], name: str) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"][name]["Properties"]
    return props


def _without_name(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k != "Name"}


def test_embedded_policies_equal_the_json_files(template: dict[str, Any]) -> None:
    headers = json.loads((CLOUDFRONT / "response-headers-policy.json").read_text())
    embedded = _props(template, "SecurityHeadersPolicy")["ResponseHeadersPolicyConfig"]
    assert _without_name(embedded) == headers
    for key, config in json.loads((CLOUDFRONT / "cache-policies.json").read_text()).items():
        embedded = _props(template, f"{key}CachePolicy")["CachePolicyConfig"]
        assert _without_name(embedded) == config, key
    origin = json.loads((CLOUDFRONT / "origin-request-policies.json").read_text())
    for key, config in origin.items():
        embedded = _props(template, f"{key}OriginRequestPolicy")["OriginRequestPolicyConfig"]
        assert _without_name(embedded) == config, key


def test_embedded_function_is_the_checked_in_one(template: dict[str, Any]) -> None:
    props = _props(template, "ViewerRequestFunction")
    assert props["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert props["FunctionCode"] == render_viewer_request({}).code


def test_bucket_is_private_and_readable_by_this_distribution_only(
    template: dict[str, Any],
) -> None:
    bucket = _props(template, "SiteBucket")
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    statements = _props(template, "SiteBucketPolicy")["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert allows
    for statement in allows:
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        source = statement["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
        assert source.endswith(":distribution/${Distribution}")
    origins = _props(template, "Distribution")["DistributionConfig"]["Origins"]
    site = next(o for o in origins if o["Id"] == "site")
    assert site["OriginAccessControlId"] == {"Fn::GetAtt": ["OriginAccessControl", "Id"]}


def test_log_bucket_accepts_cloudfront_log_delivery(template: dict[str, Any]) -> None:
    rules = _props(template, "LogBucket")["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerPreferred"}]  # ACLs on: log delivery
    logging = _props(template, "Distribution")["DistributionConfig"]["Logging"]
    assert logging["Bucket"] == {"Fn::GetAtt": ["LogBucket", "DomainName"]}


def test_api_routes_reach_the_api_and_only_public_reads_are_cached(
    template: dict[str, Any],
) -> None:
    config = _props(template, "Distribution")["DistributionConfig"]
    behaviours = config["CacheBehaviors"]
    patterns = [b["PathPattern"] for b in behaviours]
    api_index = {p: i for i, p in enumerate(patterns) if isinstance(p, str)}
    # First match wins: the cached reads must precede the uncached catch-all.
    assert api_index["/api/counts"] < api_index["/api/*"]
    assert api_index["/api/threads/*/comments"] < api_index["/api/*"]
    api_caches = json.loads((CLOUDFRONT / "cache-policies.json").read_text())["ApiShort"]
    for behaviour in behaviours:
        pattern = behaviour["PathPattern"]
        if not (isinstance(pattern, str) and pattern.startswith("/api")):
            continue
        assert behaviour["TargetOriginId"] == "api"
        assert "FunctionAssociations" not in behaviour  # the API sees its paths as sent
        if pattern == "/api/*":
            assert behaviour["CachePolicyId"] == CACHING_DISABLED
            assert "POST" in behaviour["AllowedMethods"]
        else:
            assert behaviour["CachePolicyId"] == {"Ref": "ApiShortCachePolicy"}
    assert api_caches["MaxTTL"] <= 10
    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "site"
    assert default["FunctionAssociations"][0]["EventType"] == "viewer-request"
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"


def test_parameters_and_outputs_needed_by_the_guide(template: dict[str, Any]) -> None:
    assert {"DomainName", "CertificateArn", "ApiOriginDomain", "PriceClass"} <= set(
        template["Parameters"]
    )
    assert {"DistributionId", "DistributionDomainName", "SiteBucketName"} <= set(
        template["Outputs"]
    )


def test_publisher_policy_is_scoped_to_this_stack(template: dict[str, Any]) -> None:
    """The publisher may touch this bucket, distribution and function only, never `*`."""
    statements = _props(template, "PublisherPolicy")["PolicyDocument"]["Statement"]
    actions = set()
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] != "*" and "*" not in str(statement["Action"])
        actions |= set(statement["Action"] if isinstance(statement["Action"], list) else [])
    assert {"s3:PutObject", "s3:DeleteObject", "cloudfront:CreateInvalidation"} <= actions
    assert {"cloudfront:UpdateFunction", "cloudfront:PublishFunction"} <= actions


def test_update_script_keeps_the_function_config_of_the_template(
    template: dict[str, Any],
) -> None:
    """infra/update-function.sh sends the template's comment and runtime: no drift."""
    config = _props(template, "ViewerRequestFunction")["FunctionConfig"]
    script = (ROOT / "infra" / "update-function.sh").read_text(encoding="utf-8")
    expected = json.dumps({"Comment": config["Comment"], "Runtime": config["Runtime"]})
    assert f"--function-config '{expected}'" in script
