#!/usr/bin/env python3
"""Writes prometheusrule.yaml from deploy/prometheus/alerts.yml, so both carry the same rules.

Run after changing alerts.yml: python3 deploy/kubernetes/base/monitoring/generate-prometheusrule.py
(a test fails while the two differ).
"""
import os
import yaml

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "..", "..", "prometheus", "alerts.yml")) as f:
    alerts = yaml.safe_load(f)


class Literal(str):
    pass


def literal(dumper, text):
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


yaml.add_representer(Literal, literal, Dumper=yaml.SafeDumper)


def blocks(node):
    if isinstance(node, dict):
        return {k: blocks(v) for k, v in node.items()}
    if isinstance(node, list):
        return [blocks(v) for v in node]
    return Literal(node) if isinstance(node, str) else node


rule = {
    "apiVersion": "monitoring.coreos.com/v1",
    "kind": "PrometheusRule",
    "metadata": {
        "name": "karpo-silo",
        "namespace": "karpenter-orleans",
        "labels": {"app.kubernetes.io/name": "karpo-silo", "app.kubernetes.io/part-of": "karpenter-orleans"},
    },
    "spec": {"groups": blocks(alerts["groups"])},
}
with open(os.path.join(here, "prometheusrule.yaml"), "w") as f:
    f.write("# Generated from deploy/prometheus/alerts.yml by generate-prometheusrule.py; edit alerts.yml, not this file.\n")
    yaml.safe_dump(rule, f, sort_keys=False, width=200, allow_unicode=True)
