"""Writes heat_types.json: every resource type OpenStack Heat registers,
with its property schemas and attribute names, as Heat's own plugin
registry computes them (inheritance, copied and updated schemas, mixins).

Run it where Heat imports (a checkout of openstack/heat with its
requirements installed in a virtualenv):

    python -m venv /tmp/heatvenv
    /tmp/heatvenv/bin/pip install -r heat/requirements.txt
    PYTHONPATH=heat /tmp/heatvenv/bin/python generate.py > heat_types.json

The output keeps what validation needs: each property's type, whether it
is required, its default, update_allowed and immutable, whether Heat
implements it, its constraints
(allowed values, range, length, custom constraint) and nested schema; the
attribute names; whether the type answers any attribute name (its class
overrides Heat's get_attribute: nested stacks, groups, deployments); and
whether it is a placeholder (a NoneResource: a removed type that takes
any property and does nothing).
"""

import json
import logging
import sys

logging.disable(logging.CRITICAL)

from heat.engine import properties, resource, resources  # noqa: E402
from heat.engine.resources.openstack.heat import none_resource  # noqa: E402

resources.initialise()
env = resources.global_env()


def prop(s):
    s = properties.Schema.from_legacy(s)
    out = {"type": s.type}
    if s.required:
        out["required"] = True
    if s.default is not None:
        out["default"] = s.default
    if s.update_allowed:
        out["update_allowed"] = True
    if s.immutable:
        out["immutable"] = True
    if not s.implemented:
        out["unimplemented"] = True
    for c in s.constraints:
        d = dict(c)
        d.pop("description", None)
        for k, v in d.items():
            if k == "allowed_values":
                out["allowed_values"] = list(v)
            elif k == "range":
                out["range"] = [v.get("min"), v.get("max")]
            elif k == "length":
                out["length"] = [v.get("min"), v.get("max")]
            elif k == "custom_constraint":
                out["custom"] = v
    sub = s.schema
    if sub is not None:
        if isinstance(sub, properties.Schema):
            sub = {"*": sub}
        sub = {k: prop(v) for k, v in sub.items()}
        if "*" in sub:
            item = sub["*"]
            if "schema" in item:
                out["schema"] = item["schema"]
            else:
                out["item"] = item["type"]
        else:
            out["schema"] = sub
    return out


types = {}
for name, info in sorted(env.registry._registry.items()):
    if isinstance(info, dict):
        continue
    try:
        cls = env.get_class(name)
    except Exception:
        continue
    attrs = set(cls.attributes_schema) | set(cls.base_attributes_schema)
    types[name] = {
        "properties": {
            n: prop(s) for n, s in sorted(cls.properties_schema.items())
        },
        "attributes": sorted(attrs - {"show"}),
        "any_attribute": cls.get_attribute is not resource.Resource.get_attribute,
        "placeholder": issubclass(cls, none_resource.NoneResource),
    }
json.dump(types, sys.stdout, separators=(",", ":"), sort_keys=True, default=str)
