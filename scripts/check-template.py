#!/usr/bin/env python3
"""Lints a template with cfn-lint and translates it with the AWS SAM translator, for one set of parameter values.

    python3 scripts/check-template.py [PARAMETERS.json] [--template template.yaml]
    python3 scripts/check-template.py --template member-template.yaml

The template is template.yaml unless --template names another (member-template.yaml, the organization's member stack:
plain CloudFormation, which the SAM translator leaves as it is, so the translation checks that it parses as SAM does).

PARAMETERS.json is an object of parameter values ({"MonitoredEndpoints": "a,b:blue", ...}); the others keep their
Default. The values are written into the parameters' Default before anything runs, because cfn-lint expands
Fn::ForEach over a list parameter's Default only (its --parameters option does not reach the expansion).

Prints one JSON object: {"parameters", "lint": [problems], "resources": {logical id: resource}} where `resources` is
the template as CloudFormation would deploy it: Fn::ForEach expanded as AWS::LanguageExtensions does (cfn-lint's
implementation of that transform), then translated by the SAM translator (`samtranslator`). Exits 0 when cfn-lint
reports nothing and the translation succeeds, 1 otherwise, 2 when cfn-lint or the SAM translator is not installed.
"""

import argparse
import json
import os
import sys

try:
    import cfnlint.api
    import cfnlint.decode
    import samtranslator
    from cfnlint.template import Template
    # The AWS::LanguageExtensions transform as cfn-lint runs it before linting (not part of cfn-lint's public API).
    from cfnlint.template.transforms._language_extensions import language_extension
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
except ImportError as error:
    print(
        f"check-template: {error}. Needs cfn-lint 1.x and aws-sam-translator (cfn-lint installs it) for python3: "
        "pip install cfn-lint",
        file=sys.stderr,
    )
    sys.exit(2)

REGION = "us-east-1"


def load(path, values):
    template, problems = cfnlint.decode.decode(path)
    if problems:
        raise SystemExit(f"check-template: {path} does not parse: {problems}")
    parameters = template.get("Parameters", {})
    for name, value in values.items():
        if name not in parameters:
            raise SystemExit(f"check-template: {path} has no parameter {name}")
        parameters[name]["Default"] = value
    return template


def lint(template):
    """Errors and warnings, as the cfn-lint command reports by default (informational findings are left out)."""
    matches = cfnlint.api.lint_all(json.dumps(template))
    return [str(match) for match in matches if not match.rule.id.startswith("I")]


def translate(path, template, values):
    """Fn::ForEach expanded, then the SAM transform; local CodeUri paths become the S3 URIs `sam package` gives."""
    problems, expanded = language_extension(Template(path, template, [REGION]))
    if problems:
        return [str(p) for p in problems], {}
    for resource in expanded.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function" and not str(properties.get("CodeUri", "")).startswith("s3://"):
            properties["CodeUri"] = "s3://ml-guard-package/function.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    defaults = {name: p.get("Default") for name, p in template.get("Parameters", {}).items() if "Default" in p}
    try:
        translated = Translator(managed_policy_map={}, sam_parser=Parser()).translate(
            sam_template=expanded, parameter_values={**defaults, **values}
        )
    except samtranslator.model.exceptions.InvalidDocumentException as error:
        return [f"SAM translator: {cause.message}" for cause in error.causes], {}
    return [], translated.get("Resources", {})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("parameters", nargs="?", help="JSON object of parameter values")
    parser.add_argument(
        "--template", default=os.path.join(os.path.dirname(__file__), "..", "template.yaml"), help="template.yaml by default"
    )
    args = parser.parse_args()
    values = {}
    if args.parameters:
        with open(args.parameters, encoding="utf-8") as f:
            values = json.load(f)
    template = load(args.template, values)
    problems = lint(template)
    translation_problems, resources = translate(args.template, load(args.template, values), values)
    problems += translation_problems
    json.dump({"parameters": values, "lint": problems, "resources": resources}, sys.stdout, indent=1, default=str)
    print()
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
