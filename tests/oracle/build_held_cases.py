#!/usr/bin/env python3
"""build_held_cases.py: write the inputs of the held-out intrinsic-function
cases (plain python3, no Heat needed; cases_gen.py compute then adds Heat's
results).

usage: build_held_cases.py [--visible CASES.json] [--out IN.json]
  --visible  the visible cases (default $CONFORMANCE_DIR/functions/cases.json,
             CONFORMANCE_DIR defaulting to /work/shared/conformance)
  --out      default $OUT/cases_held_input.json (OUT defaulting to
             /tmp/heatgen)

The cases are written by hand below, one `add(...)` per snippet and template
versions, on fixtures that extend the visible corpus' (see README.md,
"Held-out function cases").  Every case id is `held.<group>.<name>@<version>`;
a case whose (context, snippet, template version, category) is already in
the visible corpus is dropped.
"""
import argparse
import collections
import copy
import json
import os
import sys

HOT_DATED = ['2013-05-23', '2014-10-16', '2015-04-30', '2015-10-15',
             '2016-04-08', '2016-10-14', '2017-02-24', '2017-09-01',
             '2018-03-02', '2018-08-31', '2021-04-16']
ALIASES = {'newton': '2016-10-14', 'ocata': '2017-02-24',
           'pike': '2017-09-01', 'queens': '2018-03-02',
           'rocky': '2018-08-31', 'wallaby': '2021-04-16'}
HOT_ALL = HOT_DATED + list(ALIASES)
CFN = ['aws', 'heat']


def canon(v):
    return ALIASES.get(v, v)


def ge(v, ref):
    return canon(v) >= ref


# --------------------------------------------------------------------------
# Fixtures

HOT_PARAMS = {
    # the visible fixture
    "p_str": {"type": "string", "default": "foo"},
    "p_num": {"type": "number", "default": 42},
    "p_float": {"type": "number", "default": "3.5"},
    "p_list": {"type": "comma_delimited_list", "default": "a,b,c"},
    "p_json": {"type": "json", "default": {
        "k1": "v1", "nested": {"x": [1, 2, {"y": "z"}]},
        "flag": True, "n": None}},
    "p_bool": {"type": "boolean", "default": True},
    "p_env": {"type": "string"},
    "p_env_list": {"type": "comma_delimited_list"},
    "p_env_json": {"type": "json"},
    "p_empty": {"type": "string", "default": ""},
    "p_resname": {"type": "string", "default": "server1"},
    "p_attrname": {"type": "string", "default": "first_address"},
    "p_netname": {"type": "string", "default": "private"},
    "p_hidden": {"type": "string", "default": "secret", "hidden": True},
    # held additions
    "p_unicode": {"type": "string", "default": "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c"},
    "p_big": {"type": "number", "default": 9007199254740993},
    "p_neg": {"type": "number", "default": -7},
    "p_zero": {"type": "number", "default": 0},
    "p_numf": {"type": "number", "default": 2.5},
    "p_numstr_int": {"type": "number", "default": "10"},
    "p_sci": {"type": "number", "default": "1e3"},
    "p_strnum": {"type": "string", "default": "42"},
    "p_str_intdef": {"type": "string", "default": 42},
    "p_bool_yes": {"type": "boolean", "default": "yes"},
    "p_bool_off": {"type": "boolean", "default": "off"},
    "p_bool_strfalse": {"type": "boolean", "default": "false"},
    "p_list_json": {"type": "json", "default": [1, "two", {"three": 3}]},
    "p_json_str": {"type": "json", "default": "{\"a\": 1, \"b\": [true, null]}"},
    "p_cdl_empty": {"type": "comma_delimited_list", "default": ""},
    "p_cdl_list": {"type": "comma_delimited_list", "default": ["x", "y"]},
    "p_cdl_nums": {"type": "comma_delimited_list", "default": [1, 2]},
    "p_env_num": {"type": "number"},
    "p_env_bool": {"type": "boolean"},
    "p_env_numf": {"type": "number"},
    "p_env_json_list": {"type": "json"},
    "p_env_cdl_list": {"type": "comma_delimited_list"},
    "p_ws": {"type": "string", "default": "  spaced  "},
    "p_multiline": {"type": "string", "default": "line1\nline2\n"},
    "p_dollar": {"type": "string", "default": "$name"},
    "p_keyname": {"type": "string", "default": "k1"},
    "p_filekey": {"type": "string", "default": "hello.txt"},
    "p_port": {"type": "string", "default": "8080"},
    "p_host6": {"type": "string", "default": "fd00::5"},
}

HOT_PARAM_VALUES = {
    "p_env": "from_env", "p_env_list": "x, y ,z",
    "p_env_json": "{\"a\": [1, 2], \"b\": {\"c\": \"d\"}}",
    "p_env_num": "17", "p_env_bool": "on", "p_env_numf": "0.5",
    "p_env_json_list": "[1, 2]", "p_env_cdl_list": ["a", "b"],
}

HOT_CONDS_2016 = {
    "cond_true": {"equals": [{"get_param": "p_str"}, "foo"]},
    "cond_false": {"equals": [{"get_param": "p_str"}, "bar"]},
    "cond_not": {"not": "cond_true"},
    "cond_and": {"and": ["cond_true", "cond_not"]},
    "cond_or": {"or": ["cond_false", "cond_true"]},
    "cond_bool": {"equals": [{"get_param": "p_bool"}, True]},
    "cond_num": {"equals": [{"get_param": "p_num"}, 42]},
    "cond_env": {"equals": [{"get_param": "p_env"}, "from_env"]},
    "cond_lit_true": True,
    "cond_lit_false": False,
}
HOT_CONDS_2017_09 = dict(HOT_CONDS_2016, **{
    "cond_contains": {"contains": [{"get_param": "p_str"}, ["foo", "bar"]]},
    "cond_yaql": {"yaql": {"expression": "$.data.x > 1",
                           "data": {"x": 2}}},
})

HOT_RESOURCES_ATTRS = {
    "server1": {"reference_id": "5f8a1c1e-0000-4000-8000-000000000001",
                "attributes": {
                    "first_address": "10.0.0.1",
                    "networks": {"private": ["10.0.0.1", "fd00::1"],
                                 "public": ["172.24.4.3"]},
                    "name": "srv-one",
                    "addresses": [{"addr": "10.0.0.1", "version": 4},
                                  {"addr": "fd00::1", "version": 6}],
                    "count": 3, "flag": False, "nothing": None,
                    "list": ["l0", "l1", "l2"]}},
    "volume1": {"reference_id": "vol-0002",
                "attributes": {"size": 10, "status": "available",
                               "metadata": {"k": "v", "n": {"deep": 1}}}},
    "net1": {"attributes": {"name": "private-net",
                            "subnets": ["sub-a", "sub-b"]}},
    "pending": {"action": "INIT", "status": "COMPLETE",
                "reference_id": "pending-id", "attributes": {"foo": "bar"}},
    "failed": {"action": "CREATE", "status": "FAILED",
               "reference_id": "failed-id", "attributes": {"foo": "bar"}},
    "deleted": {"action": "DELETE", "status": "COMPLETE",
                "reference_id": "deleted-id", "attributes": {"foo": "bar"}},
    "rolled": {"action": "ROLLBACK", "status": "COMPLETE",
               "reference_id": "rolled-id", "attributes": {"foo": "bar"}},
    "upd": {"action": "UPDATE", "status": "IN_PROGRESS",
            "reference_id": "upd-id", "attributes": {"foo": "bar"}},
    "rich": {"reference_id": "rich-id", "attributes": {
        "uni": "\u00fcn\u00ef \u2713", "float": 2.5,
        "big": 9007199254740993, "neg": -1, "empty_str": "",
        "empty_list": [], "empty_map": {}, "dotted.key": "dk",
        "0": "zero", "lmaps": [{"n": "a"}, {"n": "b"}],
        "nested": {"a": {"b": {"c": [10, 20]}}},
        "true_str": "true", "num_str": "5", "ip_list": [
            "10.0.0.5", "192.168.1.5", "10.1.2.3"]}},
}

FILES = {"hello.txt": "Hello, file!\n", "data.json": "{\"a\": 1}",
         "dir/sub.sh": "#!/bin/sh\necho hi\n",
         "nested.txt": "{get_file: hello.txt}",
         "uni.txt": "\u00e7\u00e0 \u2713\n", "empty.txt": ""}

PARENT = {"name": "parent_res", "type": "nested.yaml",
          "metadata": {"foo": "bar", "n": [1, 2]},
          "deletion_policy": "Retain",
          "update_policy": {"batch_create": {"max_batch_size": 2}}}
PARENT_MIN = {"name": "p", "type": "nested.yaml"}
PARENT_SNAP = {"name": "p2", "type": "nested.yaml",
               "metadata": {"k": {"deep": [True, None]}},
               "deletion_policy": "Snapshot",
               "update_policy": {"rolling_update": {"max_batch_size": 1,
                                                    "pause_time": 2.5}}}
AZS = ["az1", "az2"]

CFN_PARAMS = {
    "Env": {"AllowedValues": ["prod", "dev"], "Default": "prod",
            "Type": "String"},
    "PBool": {"Default": "true", "Type": "Boolean"},
    "PEnv": {"Type": "String"},
    "PJson": {"Default": {"k1": "v1", "n": {"x": [1, 2]}}, "Type": "Json"},
    "PList": {"Default": "a,b,c", "Type": "CommaDelimitedList"},
    "PNum": {"Default": "42", "Type": "Number"},
    "PStr": {"Default": "foo", "Type": "String"},
    "PUnicode": {"Default": "h\u00e9llo \u2713", "Type": "String"},
    "PNeg": {"Default": "-7", "Type": "Number"},
    "PFloat": {"Default": "2.5", "Type": "Number"},
    "PCdlEmpty": {"Default": "", "Type": "CommaDelimitedList"},
    "PSep": {"Default": "-", "Type": "String"},
    "PIndex": {"Default": "1", "Type": "String"},
    "PEnvNum": {"Type": "Number"},
}
CFN_PARAM_VALUES = {"PEnv": "from_env", "PEnvNum": "17"}
CFN_MAPPINGS = {
    "Empty": {},
    "RegionMap": {"ap-southeast-1": {"AMI": "ami-apse1", "List": ["x", "y"],
                                     "Num": 7},
                  "us-east-1": {"AMI": "ami-use1"}},
    "Nums": {"1": {"v": "one"}},
    "Deep": {"k": {"m": {"x": [1, {"y": 2}]}}},
}
CFN_CONDS = {
    "IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]},
    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
    "NotDev": {"Fn::Not": ["IsDev"]},
    "DevOrProd": {"Fn::Or": ["IsDev", "IsProd"]},
    "ProdAndNotDev": {"Fn::And": ["IsProd", "NotDev"]},
    "Always": {"Fn::Equals": [1, 1]},
    "BoolTrue": True,
}
CFN_RESOURCES_ATTRS = {
    "WebServer": {"reference_id": "i-0abc123", "attributes": {
        "PublicIp": "203.0.113.10", "PrivateDnsName": "ip-10-0-0-1.internal",
        "Networks": {"private": ["10.0.0.1"]}, "Count": 2}},
    "Bucket": {"attributes": {"DomainName": "b.example.com"}},
    "Pending": {"action": "INIT", "status": "COMPLETE",
                "reference_id": "pending-id", "attributes": {"Foo": "bar"}},
    "Deleted": {"action": "DELETE", "status": "COMPLETE",
                "reference_id": "deleted-id", "attributes": {"Foo": "bar"}},
}


def hot_template(ver):
    t = {"heat_template_version": ver,
         "parameters": copy.deepcopy(HOT_PARAMS)}
    if ge(ver, '2017-09-01'):
        t["conditions"] = copy.deepcopy(HOT_CONDS_2017_09)
    elif ge(ver, '2016-10-14'):
        t["conditions"] = copy.deepcopy(HOT_CONDS_2016)
    t["resources"] = {n: {"type": "Test::Fake"} for n in HOT_RESOURCES_ATTRS}
    return t


def cfn_template(kind):
    if kind == 'aws':
        t = {"AWSTemplateFormatVersion": "2010-09-09"}
    else:
        t = {"HeatTemplateFormatVersion": "2012-12-12"}
    t["Parameters"] = copy.deepcopy(CFN_PARAMS)
    t["Mappings"] = copy.deepcopy(CFN_MAPPINGS)
    if kind == 'aws':
        t["Conditions"] = copy.deepcopy(CFN_CONDS)
    t["Resources"] = {n: {"Type": "Test::Fake"} for n in CFN_RESOURCES_ATTRS}
    return t


def version_of(ver):
    if ver == 'aws':
        return {"AWSTemplateFormatVersion": "2010-09-09"}
    if ver == 'heat':
        return {"HeatTemplateFormatVersion": "2012-12-12"}
    return {"heat_template_version": ver}


CASES = []


def add(group, name, snippet, versions, context='value', fn=None,
        category='function', parent=PARENT, files=FILES, azs=AZS,
        template_fn=None, attrs=None, params=None, note=None):
    fn = fn or group
    for ver in versions:
        cfn = ver in CFN
        if template_fn is not None:
            tmpl = template_fn(ver)
        else:
            tmpl = cfn_template(ver) if cfn else hot_template(ver)
        c = {
            "id": "held.%s.%s@%s" % (group, name, ver),
            "function": fn,
            "category": category,
            "template_version": version_of(ver),
            "context": context,
            "snippet": copy.deepcopy(snippet),
            "template": tmpl,
            "parameters": copy.deepcopy(
                tmpl.get("parameters", tmpl.get("Parameters", {}))),
            "parameter_values": copy.deepcopy(
                params if params is not None else
                (CFN_PARAM_VALUES if cfn else HOT_PARAM_VALUES)),
            "resources_attrs": copy.deepcopy(
                attrs if attrs is not None else
                (CFN_RESOURCES_ATTRS if cfn else HOT_RESOURCES_ATTRS)),
            "files": copy.deepcopy(files),
            "availability_zones": copy.deepcopy(azs),
            "parent_resource": copy.deepcopy(parent),
        }
        if note:
            c["note"] = note
        CASES.append(c)


# --------------------------------------------------------------------------
# HOT functions

V_GP = ['2014-10-16', 'pike', 'wallaby']


def gp(name, snip, versions=V_GP, **kw):
    add('get_param', name, snip, versions, **kw)


for n in ['p_unicode', 'p_big', 'p_neg', 'p_zero', 'p_numf', 'p_float',
          'p_numstr_int', 'p_sci', 'p_strnum', 'p_str_intdef', 'p_bool_yes',
          'p_bool_off', 'p_bool_strfalse', 'p_list_json', 'p_json_str',
          'p_cdl_empty', 'p_cdl_list', 'p_cdl_nums', 'p_env_num',
          'p_env_bool', 'p_env_numf', 'p_env_json_list', 'p_env_cdl_list',
          'p_ws', 'p_multiline', 'p_empty', 'p_json', 'p_num', 'p_str']:
    gp('param_' + n, {"get_param": n})
for pseudo in ['OS::stack_name', 'OS::project_id', 'OS::region']:
    gp('pseudo_' + pseudo.split('::')[1], {"get_param": pseudo})
gp('pseudo_path', {"get_param": ["OS::stack_name", 0]})
gp('cfn_pseudo_region', {"get_param": "AWS::Region"})
paths = {
    'json_deep': ["p_json", "nested", "x", 2, "y"],
    'json_str_index': ["p_json", "nested", "x", "1"],
    'json_index_oob': ["p_json", "nested", "x", 5],
    'json_neg_index': ["p_json", "nested", "x", -1],
    'json_neg_index_str': ["p_json", "nested", "x", "-1"],
    'json_bool_leaf': ["p_json", "flag"],
    'json_null_leaf': ["p_json", "n"],
    'json_through_null': ["p_json", "n", "x"],
    'json_into_string': ["p_json", "k1", 0],
    'json_into_string_strindex': ["p_json", "k1", "0"],
    'json_into_string_badindex': ["p_json", "k1", "x"],
    'list_nonnumeric': ["p_list", "x"],
    'list_oob': ["p_list", 3],
    'list_neg': ["p_list", -1],
    'list_float_index': ["p_list", 1.5],
    'list_bool_index': ["p_list", True],
    'json_null_key': ["p_json", None],
    'json_list_key': ["p_json", ["k1"]],
    'json_map_key': ["p_json", {"k1": 1}],
    'into_number': ["p_num", 0],
    'into_bool': ["p_bool", 0],
    'env_json_nested': ["p_env_json", "b", "c"],
    'env_list_item': ["p_env_list", 1],
    'cdl_empty_item': ["p_cdl_empty", 0],
    'list_json_map': ["p_list_json", 2, "three"],
    'unicode_char': ["p_unicode", 1],
    'string_char_twice': ["p_str", 0, 0],
    'json_str_param_path': ["p_json_str", "b", 0],
    'path_via_param': ["p_json", {"get_param": "p_keyname"}],
    'path_via_str_split': ["p_json", {"str_split": [",", "nested,x", 0]}, "x",
                           0],
    'env_cdl_list_item': ["p_env_cdl_list", 0],
    'cdl_nums_item': ["p_cdl_nums", 1],
    'missing_in_list': ["nope"],
    'missing_with_path': ["nope", "a"],
    'name_not_string': [5],
    'name_from_fn_missing': [{"get_param": "p_resname"}],
    'name_null': [None, "a"],
}
for n, p in paths.items():
    vs = V_GP
    if 'str_split' in json.dumps(p):
        vs = ['2015-10-15', 'wallaby']
    gp('path_' + n, {"get_param": p}, vs)
gp('missing', {"get_param": "nope"})
gp('empty_string', {"get_param": ""})
gp('null_arg', {"get_param": None})
gp('map_arg', {"get_param": {"a": 1}})
gp('case_sensitive', {"get_param": "P_STR"})
gp('bool_arg', {"get_param": True})
gp('name_via_fn', {"get_param": {"str_replace": {"template": "p_X",
                                                 "params": {"X": "str"}}}})
V_COND = ['2016-10-14', 'queens', 'wallaby']
gp('cond_bare_bool', {"get_param": "p_bool"}, V_COND, context='condition')
gp('cond_bare_str', {"get_param": "p_str"}, V_COND, context='condition')
gp('cond_equals_yes', {"equals": [{"get_param": "p_bool_yes"}, True]},
   V_COND, context='condition')
gp('cond_not_bool', {"not": {"get_param": "p_bool"}}, V_COND,
   context='condition')
gp('cond_not_env_bool', {"not": {"get_param": "p_env_bool"}}, V_COND,
   context='condition')
gp('cond_not_str', {"not": {"get_param": "p_str"}}, V_COND,
   context='condition')
gp('cond_and_params', {"and": [{"get_param": "p_bool"},
                               {"get_param": "p_bool_yes"}]}, V_COND,
   context='condition')
gp('cond_missing', {"equals": [{"get_param": "nope"}, "x"]}, V_COND,
   context='condition')
gp('cond_path', {"equals": [{"get_param": ["p_json", "k1"]}, "v1"]}, V_COND,
   context='condition')

# get_resource
V_GR = ['2014-10-16', '2016-10-14', 'rocky']
for n, s in {
    'no_reference_id': "net1", 'uncreated_with_id': "pending",
    'failed_resource': "failed", 'deleted_resource': "deleted",
    'rolled_back': "rolled", 'empty_name': "", 'null_name': None,
    'list_name': ["server1"], 'case_sensitive': "Server1",
    'param_name': "p_str", 'map_name': {"a": "server1"},
    'from_param': {"get_param": "p_resname"},
    'from_str_replace': {"str_replace": {"template": "serverN",
                                         "params": {"N": "1"}}},
}.items():
    add('get_resource', n, {"get_resource": s}, V_GR)
add('get_resource', 'in_list_join',
    {"list_join": ["/", [{"get_resource": "server1"},
                         {"get_resource": "volume1"}]]}, V_GR)
add('get_resource', 'in_condition', {"equals": [{"get_resource": "server1"},
                                                "x"]}, V_COND,
    context='condition')

# get_attr
V_GA = ['2013-05-23', '2014-10-16', '2015-10-15', '2017-02-24', 'rocky',
        'wallaby']
V_GA_NEW = ['2015-10-15', '2017-02-24', 'rocky', 'wallaby']
ga = {
    'int_attr': ["server1", "count"],
    'bool_attr': ["server1", "flag"],
    'null_attr': ["server1", "nothing"],
    'list_of_maps_path': ["server1", "addresses", 1, "addr"],
    'list_str_index': ["server1", "addresses", "1", "addr"],
    'neg_index': ["server1", "list", -1],
    'oob_index': ["server1", "list", 5],
    'map_value_list': ["server1", "networks", "private"],
    'map_whole': ["server1", "networks"],
    'into_string': ["server1", "name", 0],
    'deep_map': ["volume1", "metadata", "n", "deep"],
    'int_attr2': ["volume1", "size"],
    'uncreated_no_path': ["pending", "foo"],
    'failed_status': ["failed", "foo"],
    'delete_action': ["deleted", "foo"],
    'rollback_action': ["rolled", "foo"],
    'update_in_progress': ["upd", "foo"],
    'show_no_path': ["server1", "show"],
    'missing_resource': ["nope", "x"],
    'null_attr_name': ["server1", None],
    'null_path_item': ["server1", "first_address", None],
    'float_path_item': ["server1", "list", 1.0],
    'bool_path_item': ["server1", "list", True],
    'attr_name_via_fn_path': ["server1", {"get_param": "p_attrname"}, 0],
    'resource_via_fn': [{"get_param": "p_resname"}, "name"],
    'path_via_fn': ["server1", "networks", {"get_param": "p_netname"}, 0],
    'attr_via_str_replace': ["server1", {"str_replace": {
        "template": "first_X", "params": {"X": "address"}}}],
    'rich_unicode': ["rich", "uni"],
    'rich_float': ["rich", "float"],
    'rich_big': ["rich", "big"],
    'rich_neg': ["rich", "neg"],
    'rich_empty_str': ["rich", "empty_str"],
    'rich_empty_list': ["rich", "empty_list"],
    'rich_empty_map': ["rich", "empty_map"],
    'rich_dotted_key': ["rich", "dotted.key"],
    'rich_numeric_key': ["rich", "0"],
    'rich_lmaps': ["rich", "lmaps", 0, "n"],
    'rich_nested': ["rich", "nested", "a", "b", "c", 1],
    'rich_nested_partial': ["rich", "nested", "a"],
    'rich_into_empty_list': ["rich", "empty_list", 0],
    'rich_num_str_index': ["rich", "num_str", 0],
    'wrong_case_attr': ["server1", "Name"],
    'resource_as_attr_holder': ["server1", "first_address", "x"],
    'three_level_missing': ["server1", "networks", "private", 9, "x"],
}
for n, a in ga.items():
    add('get_attr', n, {"get_attr": a}, V_GA)
for n, a in {
    'all_attrs': ["server1"], 'all_attrs_pending': ["pending"],
    'all_attrs_failed': ["failed"], 'all_attrs_deleted': ["deleted"],
    'all_attrs_rolled': ["rolled"], 'all_attrs_upd': ["upd"],
    'all_attrs_rich': ["rich"], 'all_attrs_net': ["net1"],
    'all_attrs_missing': ["nope"], 'all_attrs_via_param': [
        {"get_param": "p_resname"}],
    'empty_list': [],
}.items():
    add('get_attr', n, {"get_attr": a}, ['2014-10-16'] + V_GA_NEW)
add('get_attr', 'null_arg', {"get_attr": None}, V_GA)
add('get_attr', 'map_arg', {"get_attr": {"server1": "name"}}, V_GA)
add('get_attr', 'in_list_join', {"list_join": [",", {"get_attr": [
    "server1", "networks", "private"]}]}, V_GA)
add('get_attr', 'in_str_replace', {"str_replace": {
    "template": "ip=$ip n=$n", "params": {
        "$ip": {"get_attr": ["server1", "first_address"]},
        "$n": {"get_attr": ["server1", "nothing"]}}}}, V_GA)
add('get_attr', 'Fn_GetAtt_in_hot', {"Fn::GetAtt": ["server1", "name"]},
    ['2013-05-23', '2016-10-14', 'wallaby'], fn='Fn::GetAtt')

# list_join
V_LJ = ['2014-10-16', '2015-04-30', '2015-10-15', '2018-08-31', 'wallaby']
lj = {
    'empty_list': [",", []],
    'single': [",", ["a"]],
    'null_items': [",", ["a", None, "b"]],
    'all_null': [",", [None, None]],
    'two_lists': [",", ["a"], ["b", "c"]],
    'two_lists_one_empty': [",", ["a"], []],
    'two_empty_lists': [",", [], []],
    'second_null': [",", ["a"], None],
    'null_list': [",", None],
    'string_list': [",", "abc"],
    'int_item': [",", ["a", 1]],
    'float_item': [",", ["a", 1.5]],
    'map_item': [",", [{"k": "v"}]],
    'map_item_sorted': [",", [{"b": 1, "a": [1, 2]}]],
    'nested_list_item': [",", [["x", ["y"]]]],
    'map_unicode': [",", [{"k": "\u00e9"}]],
    'list_unicode': [",", [["\u65e5"]]],
    'map_with_null': [",", [{"a": None, "b": True}]],
    'map_float': [",", [{"a": 1.0, "b": 2.5}]],
    'empty_list_item': [",", [[]]],
    'empty_map_item': [",", [{}]],
    'int_delim': [1, ["a", "b"]],
    'null_delim': [None, ["a", "b"]],
    'list_delim': [[","], ["a", "b"]],
    'from_param': [",", {"get_param": "p_list"}],
    'two_params': [",", {"get_param": "p_list"}, {"get_param": "p_env_list"}],
    'param_cdl_empty': [",", {"get_param": "p_cdl_empty"}],
    'from_attr': [", ", {"get_attr": ["server1", "networks", "private"]}],
    'number_from_param': [",", [{"get_param": "p_num"}]],
    'newline_delim': ["\n", ["a", "b"]],
    'unicode_items': ["\u2713", ["\u00e9", "\u65e5\u672c"]],
    'map_as_list': [",", {"k": "v"}],
    'string_second_list': [",", ["a"], "b"],
    'deep_nesting': [",", ["a", ["b", {"c": None}]]],
    'json_param_item': [",", [{"get_param": "p_json"}]],
    'delim_from_param': [{"get_param": "p_str"}, ["x", "y"]],
    'bool_item_second_list': [",", ["a"], [True]],
    'three_lists': ["-", ["a"], ["b"], ["c", "d"]],
    'str_split_inside': [",", {"str_split": [":", "a:b"]}],
}
for n, a in lj.items():
    vs = V_LJ
    if 'str_split' in json.dumps(a):
        vs = ['2015-10-15', 'wallaby']
    add('list_join', n, {"list_join": a}, vs)
add('list_join', 'not_list', {"list_join": "abc"}, V_LJ)
add('list_join', 'one_arg', {"list_join": [","]}, V_LJ)
add('list_join', 'no_args', {"list_join": []}, V_LJ)
add('list_join', 'map_args', {"list_join": {",": ["a"]}}, V_LJ)
add('list_join', 'with_list_concat', {"list_join": [",", {"list_concat": [
    ["a"], ["b"]]}]}, ['2017-09-01', 'wallaby'])
add('list_join', 'with_repeat', {"list_join": [",", {"repeat": {
    "template": "n%i%", "for_each": {"%i%": ["1", "2"]}}}]},
    ['2015-04-30', '2017-09-01', 'wallaby'])

# str_replace
V_SR = ['2014-10-16', '2015-10-15', 'pike', 'wallaby']


def sr(name, template, params, vs=V_SR, fn='str_replace'):
    add(fn, name, {fn: {"template": template, "params": params}}, vs)


sr('int_value', "a$xb", {"$x": 5})
sr('neg_int_value', "a$xb", {"$x": -5})
sr('big_int_value', "$x", {"$x": 9007199254740993})
sr('float_value', "v=$x", {"$x": 2.5})
sr('float_whole_value', "v=$x", {"$x": 1.0})
sr('bool_value', "v=$x", {"$x": True})
sr('bool_false_value', "v=$x", {"$x": False})
sr('null_value', "a$xb", {"$x": None})
sr('list_value', "v=$x", {"$x": ["a", "b"]})
sr('map_value', "v=$x", {"$x": {"k": 1, "a": [None]}})
sr('empty_map_value', "v=$x", {"$x": {}})
sr('empty_list_value', "v=$x", {"$x": []})
sr('unicode_list_value', "v=$x", {"$x": ["\u00e9"]})
sr('numeric_key', "a1b1", {"1": "X"})
sr('overlap_longest_first', "foobar foo", {"foo": "1", "foobar": "2"})
sr('overlap_equal_len_lex', "abc", {"bc": "Y", "ab": "X"})
sr('value_contains_key', "$a", {"$a": "$b", "$b": "X"})
sr('replacement_creates_key', "$$aa", {"$a": "b", "$ba": "NO"})
sr('empty_key', "abc", {"": "X"})
sr('regex_chars', "a.b*c", {".": "-", "*": "+"})
sr('unicode', "h\u00e9llo $n", {"$n": "w\u00f6rld \u2713"})
sr('multi_occurrence', "$x-$x-$x", {"$x": "y"})
sr('value_from_attr', "ip=$ip", {"$ip": {"get_attr": ["server1",
                                                      "first_address"]}})
sr('value_from_null_attr', "n=$n", {"$n": {"get_attr": ["server1",
                                                        "nothing"]}})
sr('template_from_param', {"get_param": "p_dollar"}, {"$name": "N"})
sr('template_from_multiline', {"get_param": "p_multiline"}, {"line": "L"})
sr('template_int', 123, {"1": "x"})
sr('template_null', None, {"a": "b"})
sr('template_list', ["a"], {"a": "b"})
sr('params_list', "abc", ["a"])
sr('params_string', "abc", "a")
sr('params_null', "abc", None)
sr('params_from_param', "k1 and flag", {"get_param": "p_json"})
sr('params_from_env_json', "a b", {"get_param": "p_env_json"})
sr('nested_str_replace', {"str_replace": {"template": "A-B",
                                          "params": {"A": "$x"}}},
   {"$x": "X", "B": "Y"})
sr('value_from_list_param', "l=$l", {"$l": {"get_param": "p_list"}})
sr('value_from_json_param', "j=$j", {"$j": {"get_param": "p_json"}})
sr('value_number_param', "n=$n", {"$n": {"get_param": "p_num"}})
sr('value_float_param', "f=$f", {"$f": {"get_param": "p_float"}})
sr('value_bool_param', "b=$b", {"$b": {"get_param": "p_bool"}})
sr('key_is_whole_template', "whole", {"whole": "W"})
sr('no_match', "abc", {"z": "Z"})
sr('empty_template', "", {"a": "b"})
sr('case_sensitive', "Abc abc", {"abc": "X"})
add('str_replace', 'args_list', {"str_replace": ["a", "b"]}, V_SR)
add('str_replace', 'args_string', {"str_replace": "abc"}, V_SR)
add('str_replace', 'extra_key', {"str_replace": {"template": "a$x",
                                                 "params": {"$x": "b"},
                                                 "extra": 1}}, V_SR)
add('str_replace', 'missing_template', {"str_replace": {
    "params": {"a": "b"}}}, V_SR)

# str_replace_strict / vstrict
V_SRS = ['2016-10-14', '2017-02-24', 'queens', 'wallaby']
V_SRV = ['2017-02-24', '2017-09-01', 'rocky', 'wallaby']
for fn, vs in (('str_replace_strict', V_SRS), ('str_replace_vstrict', V_SRV)):
    sr('all_found', "$a-$b", {"$a": "1", "$b": "2"}, vs, fn)
    sr('one_missing', "$a", {"$a": "1", "$zz": "2"}, vs, fn)
    sr('two_missing', "x", {"$bb": "1", "$a": "2", "$ccc": "3"}, vs, fn)
    sr('null_value', "a$xb", {"$x": None}, vs, fn)
    sr('empty_string_value', "a$xb", {"$x": ""}, vs, fn)
    sr('empty_list_value', "a$xb", {"$x": []}, vs, fn)
    sr('empty_map_value', "a$xb", {"$x": {}}, vs, fn)
    sr('zero_value', "a$xb", {"$x": 0}, vs, fn)
    sr('false_value', "a$xb", {"$x": False}, vs, fn)
    sr('list_value', "a$xb", {"$x": [1]}, vs, fn)
    sr('empty_params', "abc", {}, vs, fn)
    sr('chained_key', "$a", {"$a": "$b", "$b": "x"}, vs, fn)
    sr('shadowed_key', "foobar", {"foobar": "1", "foo": "2"}, vs, fn)
    sr('value_from_null_attr', "n=$n", {"$n": {"get_attr": ["server1",
                                                            "nothing"]}},
       vs, fn)
    sr('value_from_empty_param', "e=$e", {"$e": {"get_param": "p_empty"}},
       vs, fn)
    sr('missing_key_in_empty_template', "", {"$a": "1"}, vs, fn)
    add(fn, 'missing_params', {fn: {"template": "abc"}}, vs)
    add(fn, 'params_not_map', {fn: {"template": "abc", "params": "a"}}, vs)

# str_split
V_SS = ['2015-04-30', '2015-10-15', '2018-03-02', 'wallaby']
ss = {
    'index_oob': [",", "a,b,c", 5],
    'index_neg': [",", "a,b,c", -1],
    'index_neg_oob': [",", "a,b,c", -4],
    'index_str': [",", "a,b,c", "1"],
    'index_bad_str': [",", "a,b,c", "x"],
    'index_float': [",", "a,b,c", 1.7],
    'index_null': [",", "a,b,c", None],
    'index_bool': [",", "a,b,c", True],
    'index_from_param': [",", "a,b,c", {"get_param": "p_zero"}],
    'empty_string': [",", ""],
    'null_string': [",", None],
    'null_string_index': [",", None, 0],
    'consecutive_delims': [",", "a,,b"],
    'trailing_delim': [",", "a,b,"],
    'list_string': [",", ["a"]],
    'int_delim': [1, "a1b"],
    'null_delim': [None, "a b  c"],
    'one_arg': [","],
    'no_args': [],
    'unicode_delim': ["\u00e9", "a\u00e9b\u00e9c"],
    'newline_delim': ["\n", "l1\nl2"],
    'from_list_join': [",", {"list_join": [",", ["x", "y"]]}],
    'from_attr': [".", {"get_attr": ["server1", "first_address"]}, 3],
    'string_from_num_param': [",", {"get_param": "p_num"}],
    'delim_longer_than_string': ["abcd", "ab"],
    'whole_string_delim': ["abc", "abc"],
}
for n, a in ss.items():
    add('str_split', n, {"str_split": a}, V_SS)
add('str_split', 'map_arg', {"str_split": {"a": 1}}, V_SS)
add('str_split', 'null_arg', {"str_split": None}, V_SS)
add('str_split', 'in_condition', {"equals": [{"str_split": [",", "a"]},
                                             ["a"]]}, V_COND,
    context='condition')

# repeat
V_RP = ['2014-10-16', '2015-04-30', '2016-10-14', '2017-09-01', 'queens',
        'wallaby']


def rp(name, args, vs=V_RP):
    add('repeat', name, {"repeat": args}, vs)


rp('map_value', {"template": "%k%", "for_each": {"%k%": {"a": 1, "b": 2}}})
rp('three_vars', {"template": "%a%%b%%c%", "for_each": {
    "%a%": ["1", "2"], "%b%": ["x"], "%c%": ["p", "q"]}})
rp('permutations_false_unequal', {"template": "%a%-%b%", "for_each": {
    "%a%": ["1", "2"], "%b%": ["x"]}, "permutations": False})
rp('permutations_string', {"template": "%a%", "for_each": {"%a%": ["1"]},
                           "permutations": "false"})
rp('permutations_true', {"template": "%a%-%b%", "for_each": {
    "%a%": ["1", "2"], "%b%": ["x", "y"]}, "permutations": True})
rp('permutations_false_map', {"template": "%a%", "for_each": {
    "%a%": {"k": "v"}}, "permutations": False})
rp('permutations_false_three', {"template": "%a%%b%%c%", "for_each": {
    "%a%": ["1", "2"], "%b%": ["x", "y"], "%c%": ["p", "q"]},
    "permutations": False})
rp('template_map_keys', {"template": {"name_%i%": "v_%i%"},
                         "for_each": {"%i%": ["1", "2"]}})
rp('template_nested', {"template": {"port": "%p%", "opts": ["%p%", {
    "x": "%p%"}], "n": 1, "b": True, "z": None},
    "for_each": {"%p%": ["80", "443"]}})
rp('template_int', {"template": 5, "for_each": {"%i%": ["1", "2"]}})
rp('template_null', {"template": None, "for_each": {"%i%": ["1"]}})
rp('value_null', {"template": "%i%", "for_each": {"%i%": None}})
rp('value_null_with_other', {"template": "%i%%j%", "for_each": {
    "%i%": None, "%j%": ["a"]}})
rp('for_each_empty_map', {"template": "x", "for_each": {}})
rp('value_empty_list', {"template": "%i%", "for_each": {"%i%": []}})
rp('value_string', {"template": "%i%", "for_each": {"%i%": "abc"}})
rp('value_int_items', {"template": "%i%", "for_each": {"%i%": [1, 2]}})
rp('value_int_items_list_template', {"template": ["%i%"], "for_each": {
    "%i%": [1, 2]}})
rp('value_int_items_int_template', {"template": 7, "for_each": {
    "%i%": [1, 2]}})
rp('key_order_overlap', {"template": "%a%b", "for_each": {
    "%a%": ["1"], "%a%b": ["2"]}})
rp('key_order_overlap_rev', {"template": "%a%b", "for_each": {
    "%a%b": ["2"], "%a%": ["1"]}})
rp('for_each_from_attr', {"template": "ip-%ip%", "for_each": {
    "%ip%": {"get_attr": ["server1", "networks", "private"]}}})
rp('for_each_whole_from_param', {"template": "x", "for_each": {
    "get_param": "p_json"}})
rp('inner_function_template', {"template": {"list_join": [
    "-", ["%x%", "y"]]}, "for_each": {"%x%": ["a", "b"]}})
rp('missing_template', {"for_each": {"%i%": ["1"]}})
rp('missing_for_each', {"template": "x"})
rp('extra_key', {"template": "%i%", "for_each": {"%i%": ["1"]},
                 "extra": True})
add('repeat', 'args_list', {"repeat": ["a"]}, V_RP)
rp('for_each_null', {"template": "x", "for_each": None})
rp('unicode', {"template": "\u00e9-%i%", "for_each": {
    "%i%": ["\u2713", "\u65e5"]}})
rp('nested_repeat', {"template": {"repeat": {"template": "%i%-%j%",
                                             "for_each": {"%j%": ["x",
                                                                  "y"]}}},
                     "for_each": {"%i%": ["1", "2"]}})
rp('replacement_introduces_key', {"template": "%a%", "for_each": {
    "%a%": ["%b%"], "%b%": ["B"]}})

# digest
V_DG = ['2014-10-16', '2015-04-30', '2018-08-31', 'wallaby']
for alg in ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']:
    add('digest', alg + '_empty', {"digest": [alg, ""]}, V_DG)
    add('digest', alg + '_latin1', {"digest": [alg, "caf\u00e9"]},
        ['2015-04-30', 'wallaby'])
for alg in ['SHA256', 'Md5', 'sha3_256', 'blake2b', 'blake2s', 'sha512_256',
            'md5-sha1', 'ripemd160', 'sm3', 'shake_128', 'sha-256', '']:
    add('digest', 'alg_' + (alg or 'empty').replace('-', '_'),
        {"digest": [alg, "foo"]}, ['2015-04-30', 'wallaby'])
for n, a in {
    'non_latin1': ["sha256", "\u65e5\u672c"],
    'int_value': ["md5", 5],
    'null_value': ["md5", None],
    'three_args': ["md5", "a", "b"],
    'no_args': [],
    'num_param': ["sha256", {"get_param": "p_num"}],
    'joined_value': ["sha256", {"list_join": ["", ["a", "b"]]}],
    'multiline': ["sha1", "multi\nline\n"],
    'alg_from_param': [{"get_param": "p_str"}, "x"],
    'value_from_file': ["md5", {"get_file": "hello.txt"}],
    'map_arg_item': ["md5", {"a": 1}],
}.items():
    add('digest', n, {"digest": a}, V_DG)
add('digest', 'map_arg', {"digest": {"md5": "x"}}, V_DG)

# map_merge
V_MM = ['2015-10-15', '2016-04-08', '2016-10-14', '2018-03-02', 'wallaby']
mm = {
    'null_in_middle': [{"a": 1}, None, {"b": 2}],
    'string_item': [{"a": 1}, "x"],
    'list_item': [{"a": 1}, ["b"]],
    'string_arg': "abc",
    'map_arg': {"a": 1},
    'null_arg': None,
    'override_param': [{"get_param": "p_json"}, {"k1": "override"}],
    'with_attr': [{"get_attr": ["volume1", "metadata"]}, {"z": 1}],
    'null_values_kept': [{"a": None}],
    'empty_maps': [{}, {}],
    'set_to_null': [{"a": 1}, {"a": None}],
    'shallow_env_json': [{"get_param": "p_env_json"}, {"b": {"x": 1}}],
    'nested_list': [[{"a": 1}]],
    'unicode_keys': [{"\u00e9": 1}, {"\u2713": 2}],
    'int_item': [{"a": 1}, 5],
    'from_repeat': [{"repeat": {"template": {"k": "v"},
                                "for_each": {"%i%": ["1"]}}}],
    'key_order': [{"b": 1, "a": 2}, {"c": 3, "a": 4}],
}
for n, a in mm.items():
    vs = V_MM
    if 'repeat' in json.dumps(a):
        vs = ['2016-04-08', 'wallaby']
    add('map_merge', n, {"map_merge": a}, vs)
add('map_merge', 'with_if', {"map_merge": [{"a": 1}, {"if": [
    "cond_true", {"b": 2}, {"c": 3}]}]}, ['2016-10-14', 'wallaby'])
add('map_merge', 'with_if_two_args', {"map_merge": [{"a": 1}, {"if": [
    "cond_false", {"b": 2}]}]}, ['2018-08-31', 'wallaby'])
add('map_merge', 'with_map_replace', {"map_merge": [{"map_replace": [
    {"a": 1}, {"keys": {"a": "A"}}]}, {"b": 2}]}, ['2016-10-14', 'wallaby'])

# map_replace
V_MR = ['2016-04-08', '2016-10-14', '2017-09-01', 'rocky', 'wallaby']
mr = {
    'collide_input': [{"a": 1, "b": 2}, {"keys": {"a": "b"}}],
    'collide_output': [{"a": 1, "b": 2}, {"keys": {"a": "c", "b": "c"}}],
    'swap_keys': [{"a": 1, "b": 2}, {"keys": {"a": "b", "b": "a"}}],
    'identity_key': [{"a": 1}, {"keys": {"a": "a"}}],
    'numeric_value_not_stringly': [{"a": 1}, {"values": {"1": "one"}}],
    'null_value_kept': [{"a": None}, {"values": {"x": "y"}}],
    'key_to_number': [{"a": 1}, {"keys": {"a": 5}}],
    'key_to_null': [{"a": 1}, {"keys": {"a": None}}],
    'key_to_list': [{"a": 1}, {"keys": {"a": ["x"]}}],
    'key_to_map': [{"a": 1}, {"keys": {"a": {"x": 1}}}],
    'keys_not_map': [{"a": 1}, {"keys": "x"}],
    'values_not_map': [{"a": 1}, {"values": ["x"]}],
    'keys_null': [{"a": 1}, {"keys": None}],
    'three_args': [{"a": 1}, {"keys": {}}, {}],
    'one_arg': [{"a": 1}],
    'first_null': [None, {"keys": {}}],
    'second_null': [{"a": 1}, None],
    'map_arg': {"a": 1},
    'string_arg': "abc",
    'null_arg': None,
    'from_param': [{"get_param": "p_json"}, {"keys": {"k1": "K"},
                                             "values": {"v1": "V"}}],
    'value_to_map': [{"a": "x"}, {"values": {"x": {"m": 1}}}],
    'value_to_list': [{"a": "x"}, {"values": {"x": [1]}}],
    'value_bool_not_replaced': [{"a": True}, {"values": {"true": "T",
                                                         "True": "T2"}}],
    'values_and_keys_same_entry': [{"k": "k"}, {"keys": {"k": "v"},
                                                "values": {"k": "w"}}],
    'unicode': [{"\u00e9": "\u2713"}, {"keys": {"\u00e9": "e"},
                                       "values": {"\u2713": "ok"}}],
    'empty_repl': [{"a": 1}, {}],
    'replacement_chain': [{"a": "b", "b": "c"}, {"values": {"b": "c",
                                                            "c": "d"}}],
    'key_replacement_existing_later': [{"a": 1, "c": 2}, {"keys": {
        "c": "b", "a": "b"}}],
}
for n, a in mr.items():
    add('map_replace', n, {"map_replace": a}, V_MR)

# yaql
V_YQ = ['2016-04-08', '2016-10-14', '2017-09-01', 'wallaby']
yq = {
    'add': ("$.data.a + $.data.b", {"a": 1, "b": 2}),
    'len_method': ("$.data.len()", [1, 2, 3]),
    'len_fn': ("len($.data)", [1, 2, 3]),
    'len_str': ("$.data.len()", "h\u00e9llo"),
    'sum_ints': ("sum($.data)", [1, 2, 3]),
    'sum_floats': ("sum($.data)", [1.5, 2.5]),
    'sum_method': ("$.data.sum()", [1, 2]),
    'max': ("max($.data)", [3, 9, 2]),
    'min': ("$.data.min()", [3, 9, 2]),
    'max_two_args': ("max($.data.a, $.data.b)", {"a": 3, "b": 7}),
    'select': ("$.data.select($ * 2)", [1, 2]),
    'where': ("$.data.where($ > 1)", [1, 2, 3]),
    'where_select_attr': ("$.data.where($.version = 4).select($.addr)",
                          [{"addr": "10.0.0.1", "version": 4},
                           {"addr": "fd00::1", "version": 6}]),
    'distinct': ("$.data.distinct()", [1, 2, 1, 3, 2]),
    'to_list': ("$.data.toList()", [3, 1]),
    'keys': ("$.data.keys().orderBy($)", {"a": 1, "b": 2}),
    'values': ("$.data.values()", {"a": 1, "b": 2}),
    'dict_access': ("$.data.a.b", {"a": {"b": "deep"}}),
    'dict_missing_key': ("$.data.nope", {"a": 1}),
    'index_first': ("$.data[0]", ["x", "y"]),
    'index_neg': ("$.data[-1]", ["x", "y"]),
    'index_dict': ("$.data['a']", {"a": 5}),
    'join_method': ("$.data.join(',')", ["a", "b"]),
    'join_str_method': ("','.join($.data)", ["a", "b"]),
    'split': ("$.data.split(',')", "a,b,c"),
    'to_upper': ("$.data.toUpper()", "abc"),
    'to_lower': ("$.data.toLower()", "ABC"),
    'trim': ("$.data.trim()", "  x  "),
    'replace': ("$.data.replace('a', 'b')", "banana"),
    'regex_matches': ("$.data.matches('^a.c$')", "abc"),
    'regex_fn': ("regex('b+').matches($.data)", "abbc"),
    'format_method': ("'{0}-{1}'.format($.data.a, $.data.b)",
                      {"a": "x", "b": 2}),
    'format_fn': ("format('{0}!', $.data)", "hi"),
    'mul_float': ("$.data * 2.5", 2),
    'div_ints': ("$.data / 2", 7),
    'div_exact': ("$.data / 2", 8),
    'mod': ("$.data mod 3", 10),
    'precedence': ("2 + 3 * 4", {}),
    'merge_with': ("$.data.mergeWith({b => 2})", {"a": 1}),
    'merge_with_nested': ("$.data.a.mergeWith($.data.b)",
                          {"a": {"x": [1], "y": 1}, "b": {"x": [2], "z": 3}}),
    'dict_from_pairs': ("dict($.data.select([$.name, $.value]))",
                        [{"name": "a", "value": 1}, {"name": "b",
                                                     "value": 2}]),
    'order_by': ("$.data.orderBy($)", [3, 1, 2]),
    'first': ("$.data.first()", [4, 5]),
    'last': ("$.data.last()", [4, 5]),
    'any': ("$.data.any()", [0, 1]),
    'all_pred': ("$.data.all($ > 0)", [1, 2]),
    'count': ("$.data.count()", [1, 2, 3]),
    'str_fn': ("str($.data)", 5),
    'int_fn': ("int('5') + 1", {}),
    'float_fn': ("float($.data)", 1),
    'in_op': ("2 in $.data", [1, 2]),
    'contains_method': ("$.data.contains(3)", [1, 2]),
    'flatten': ("$.data.flatten()", [[1], [2, [3]]]),
    'range': ("range(3)", {}),
    'list_concat_op': ("$.data + [3]", [1, 2]),
    'dict_literal': ("{a => 1, b => $.data}", "x"),
    'dict_get_default': ("$.data.get('z', 'def')", {"a": 1}),
    'index_of': ("$.data.indexOf(2)", [1, 2, 3]),
    'starts_with': ("$.data.startsWith('ab')", "abc"),
    'ends_with': ("$.data.endsWith('bc')", "abc"),
    'substring': ("$.data.substring(1, 2)", "abcde"),
    'concat_fn': ("concat('a', $.data)", "b"),
    'string_plus': ("'a' + $.data", "b"),
    'and_or_not': ("$.data.a and not $.data.b", {"a": True, "b": False}),
    'equality': ("$.data = 1", 1),
    'inequality': ("$.data != 1", 1),
    'big_int': ("$.data + 1", 9007199254740993),
    'float_mult': ("2 * 1.5", {}),
    'abs': ("abs($.data)", -3),
    'round': ("round($.data)", 2.6),
    'root_context': ("$", {"a": 1}),
    'data_whole': ("$.data", {"a": [1, {"b": None}]}),
    'div_zero': ("1 / 0", {}),
    'bad_syntax': ("$.data.", {}),
    'unknown_fn': ("$.data.noSuchMethod()", [1]),
    'sum_strings': ("sum($.data)", ["a", "b"]),
    'len_of_null': ("len($.data)", None),
    'str_of_list': ("str($.data)", [1, "a"]),
    'select_dict': ("$.data.select({n => $})", [1, 2]),
    'let': ("let(x => $.data) -> $x * 3", 2),
    'ternary_like': ("switch($.data > 1 => 'big', true => 'small')", 5),
    'sort_strings': ("$.data.orderBy($)", ["b", "a", "c"]),
    'to_set_len': ("$.data.toSet().len()", [1, 1, 2]),
    'zero_div_float': ("1.0 / 0", {}),
    'neg_mod': ("-7 mod 3", {}),
    'int_div_neg': ("-7 / 2", {}),
    'string_mult': ("'ab' * 3", {}),
    'select_keys_ip': ("$.data.where($.startsWith('10.'))",
                       ["10.0.0.5", "192.168.1.5", "10.1.2.3"]),
}
for n, (e, d) in yq.items():
    add('yaql', n, {"yaql": {"expression": e, "data": d}}, V_YQ)
add('yaql', 'no_data', {"yaql": {"expression": "$.data"}}, V_YQ)
add('yaql', 'expr_not_string', {"yaql": {"expression": 5, "data": {}}}, V_YQ)
add('yaql', 'missing_expression', {"yaql": {"data": {}}}, V_YQ)
add('yaql', 'extra_key', {"yaql": {"expression": "1", "data": {},
                                   "x": 1}}, V_YQ)
add('yaql', 'args_list', {"yaql": ["1"]}, V_YQ)
add('yaql', 'expr_from_str_replace', {"yaql": {"expression": {
    "str_replace": {"template": "$.data.X()", "params": {"X": "len"}}},
    "data": [1, 2]}}, V_YQ)
add('yaql', 'bad_expr_from_fn', {"yaql": {"expression": {
    "get_param": "p_dollar"}, "data": {}}}, V_YQ)
add('yaql', 'data_from_param', {"yaql": {
    "expression": "$.data.nested.x.len()", "data": {"get_param": "p_json"}}},
    V_YQ)
add('yaql', 'data_from_attr', {"yaql": {
    "expression": "$.data.where($.version = 6).first().addr",
    "data": {"get_attr": ["server1", "addresses"]}}}, V_YQ)
add('yaql', 'data_from_list_param', {"yaql": {
    "expression": "$.data.select($.toUpper())",
    "data": {"get_param": "p_list"}}}, V_YQ)
add('yaql', 'data_map_with_fn', {"yaql": {
    "expression": "$.data.a + $.data.b",
    "data": {"a": {"get_param": "p_num"}, "b": {"get_param": "p_neg"}}}},
    V_YQ)
V_YQC = ['2016-10-14', '2017-02-24', '2017-09-01', 'wallaby']
add('yaql', 'cond_true', {"yaql": {"expression": "$.data > 1", "data": 2}},
    V_YQC, context='condition')
add('yaql', 'cond_nonbool', {"yaql": {"expression": "$.data", "data": 2}},
    V_YQC, context='condition')
add('yaql', 'cond_in_not', {"not": {"yaql": {"expression": "$.data > 1",
                                             "data": 2}}},
    V_YQC, context='condition')
add('yaql', 'cond_nonbool_in_not', {"not": {"yaql": {"expression": "$.data",
                                                     "data": 2}}},
    V_YQC, context='condition')

# equals (condition context)
V_EQ = ['2016-10-14', '2018-08-31', 'wallaby']
eq = {
    'int_float': [1, 1.0],
    'bool_int': [True, 1],
    'false_zero': [False, 0],
    'nulls': [None, None],
    'null_empty': [None, ""],
    'empty_lists': [[], []],
    'empty_maps': [{}, {}],
    'map_key_order': [{"a": 1, "b": 2}, {"b": 2, "a": 1}],
    'list_order': [[1, 2], [2, 1]],
    'bool_param_vs_str': [{"get_param": "p_bool"}, "true"],
    'bool_param_vs_bool': [{"get_param": "p_bool"}, True],
    'num_param_vs_str': [{"get_param": "p_num"}, "42"],
    'float_param': [{"get_param": "p_float"}, 3.5],
    'numstr_param': [{"get_param": "p_numstr_int"}, 10],
    'sci_param': [{"get_param": "p_sci"}, 1000],
    'list_param': [{"get_param": "p_list"}, ["a", "b", "c"]],
    'unicode_param': [{"get_param": "p_unicode"},
                      "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c"],
    'stack_name': [{"get_param": "OS::stack_name"}, "oracle_stack"],
    'json_params': [{"get_param": "p_json"}, {"get_param": "p_json"}],
    'nested_equals': [{"equals": [1, 1]}, True],
    'not_inside': [{"not": True}, False],
    'env_bool_param': [{"get_param": "p_env_bool"}, True],
    'env_num_param': [{"get_param": "p_env_num"}, 17],
    'cdl_list_vs_list': [{"get_param": "p_cdl_nums"}, ["1", "2"]],
    'case_sensitive': ["A", "a"],
    'nested_structures': [{"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}],
    'str_intdef_param': [{"get_param": "p_str_intdef"}, "42"],
    'big_vs_float': [{"get_param": "p_big"}, 9007199254740992.0],
}
for n, a in eq.items():
    add('equals', n, {"equals": a}, V_EQ, context='condition')
for n, a in {'three_args': ["a", "a", "a"], 'string_arg': "a",
             'empty_list': [], 'map_arg': {"a": 1}, 'null_arg': None}.items():
    add('equals', n, {"equals": a}, V_EQ, context='condition')
add('equals', 'in_value_context', {"equals": ["a", "a"]},
    ['2015-10-15', '2017-02-24', 'rocky'])
add('equals', 'condition_name_in_equals', {"equals": ["cond_true", True]},
    V_EQ, context='condition')

# not / and / or
nt = {
    'bool_true': True, 'cond_false': "cond_false",
    'inline_equals': {"equals": [1, 2]},
    'double_not': {"not": "cond_true"},
    'null': None, 'int': 1, 'string_true': "true",
    'list_cond_name': ["cond_true"], 'empty_map': {},
    'cond_and': "cond_and", 'cond_or': "cond_or",
    'literal_true_cond': "cond_lit_true",
    'and_inside': {"and": [True, True]},
}
for n, a in nt.items():
    add('not', n, {"not": a}, V_EQ, context='condition')
ao = {
    'three_true': [True, True, True],
    'names': ["cond_true", "cond_or"],
    'mixed': [True, {"equals": [1, 1]}, {"not": False}],
    'empty': [],
    'one': [True],
    'string_arg': "cond_true",
    'null_item': [True, None],
    'short_circuit_false_then_bad': [False, "nonexistent"],
    'short_circuit_true_then_bad': [True, "nonexistent"],
    'bad_then_ok': ["nonexistent", True],
    'int_items': [1, 1],
    'string_true': [True, "true"],
    'map_arg': {"a": True},
    'params': [{"get_param": "p_bool"}, {"get_param": "p_bool_yes"}],
    'nested': [{"and": [True, True]}, {"or": [False, True]}],
    'literal_conds': ["cond_lit_true", "cond_lit_false"],
    'cond_bool_num_env': ["cond_bool", "cond_num", "cond_env"],
}
for fn in ('and', 'or'):
    for n, a in ao.items():
        add(fn, n, {fn: a}, V_EQ, context='condition')
for fn in ('not', 'and', 'or'):
    add(fn, 'value_ctx', {fn: [True, False] if fn != 'not' else False},
        ['2017-02-24', 'rocky'])
add('or', 'with_contains', {"or": [{"contains": ["a", ["a"]]}, False]},
    ['2017-09-01', 'wallaby'], context='condition')
add('and', 'with_yaql', {"and": [{"yaql": {"expression": "true",
                                           "data": {}}}, True]},
    ['2017-09-01', 'wallaby'], context='condition')
add('and', 'cond_contains_yaql_names', {"and": ["cond_contains",
                                                "cond_yaql"]},
    ['2017-09-01', 'wallaby'], context='condition')

# contains
V_CT = ['2017-02-24', '2017-09-01', '2018-03-02', 'wallaby']
ct = {
    'substring': ["x", "xyz"],
    'int_in_list': [1, [1, 2]],
    'str_vs_int': ["1", [1, 2]],
    'float_vs_int': [1.0, [1]],
    'bool_vs_int': [True, [1]],
    'null_in_list': [None, [None]],
    'map_in_list': [{"a": 1}, [{"a": 1}]],
    'list_in_list': [["a"], [["a"]]],
    'in_map': ["a", {"a": 1}],
    'in_null': ["a", None],
    'int_in_string': [1, "123"],
    'one_arg': ["a"],
    'empty_args': [],
    'string_arg': "a",
    'in_param_list': ["b", {"get_param": "p_list"}],
    'param_in_list': [{"get_param": "p_str"}, ["foo", "bar"]],
    'ip_in_attr': ["10.0.0.1", {"get_attr": ["server1", "networks",
                                             "private"]}],
    'empty_in_string': ["", "abc"],
    'unicode': ["\u2713", "ok \u2713"],
    'three_args': ["a", ["a"], ["b"]],
    'in_str_split': ["b", {"str_split": [",", "a,b"]}],
}
for n, a in ct.items():
    add('contains', n, {"contains": a}, V_CT)
    add('contains', 'cond_' + n, {"contains": a},
        ['2016-10-14', '2017-09-01', 'wallaby'], context='condition')

# if
V_IF = ['2016-04-08', '2016-10-14', '2017-09-01', '2018-08-31', 'wallaby']
iff = {
    'cond_true': ["cond_true", "a", "b"],
    'cond_false': ["cond_false", "a", "b"],
    'literal_true': [True, "a", "b"],
    'literal_false': [False, "a", "b"],
    'cond_and': ["cond_and", "a", "b"],
    'inline_equals': [{"equals": [{"get_param": "p_str"}, "foo"]}, 1, 2],
    'unknown_cond': ["nonexistent", "a", "b"],
    'lazy_true_branch': ["cond_true", {"get_param": "p_str"},
                         {"get_param": "nope"}],
    'lazy_false_branch': ["cond_false", {"get_param": "nope"}, "x"],
    'nested_if': ["cond_true", {"if": ["cond_false", "a", "b"]}, "c"],
    'null_false_value': ["cond_false", "a", None],
    'four_args': ["cond_true", "a", "b", "c"],
    'one_arg': ["cond_true"],
    'no_args': [],
    'param_condition': [{"get_param": "p_bool"}, "y", "n"],
    'not_condition': [{"not": "cond_false"}, "y", "n"],
    'int_condition': [1, "a", "b"],
    'wrong_case': ["Cond_True", "a", "b"],
    'value_function': ["cond_true", {"list_join": ["-", ["a", "b"]]}, "x"],
    'map_values': ["cond_false", {"a": 1}, {"b": [1, 2]}],
    'literal_cond_name': ["cond_lit_false", "a", "b"],
    'string_condition_lookalike': ["true", "a", "b"],
    'null_condition': [None, "a", "b"],
    'cond_or': ["cond_or", "a", "b"],
    'unused_branch_bad_fn': ["cond_true", "ok", {"get_attr": "bad"}],
    'used_branch_bad_fn': ["cond_true", {"get_attr": "bad"}, "ok"],
}
for n, a in iff.items():
    add('if', n, {"if": a}, V_IF)
V_IF2 = ['2018-08-31', 'rocky', '2021-04-16', 'wallaby']
for n, s in {
    'two_args_true': {"if": ["cond_true", "a"]},
    'two_args_false_top': {"if": ["cond_false", "a"]},
    'two_args_in_list': [{"if": ["cond_false", "a"]}, "b",
                         {"if": ["cond_true", "c"]}],
    'two_args_in_map': {"k": {"if": ["cond_false", "v"]}, "j": 1},
    'two_args_in_map_true': {"k": {"if": ["cond_true", "v"]}},
    'two_args_nested': {"if": ["cond_true", {"if": ["cond_false", "x"]}]},
    'two_args_in_list_join': {"list_join": [",", ["a", {"if": [
        "cond_false", "b"]}, "c"]]},
    'two_args_in_list_concat': {"list_concat": [["a"], [{"if": [
        "cond_false", "b"]}]]},
    'two_args_in_str_replace_params': {"str_replace": {
        "template": "a$xb", "params": {"$x": {"if": ["cond_false", "X"]}}}},
    'two_args_false_in_get_param_path': {"get_param": [
        "p_json", {"if": ["cond_false", "k1"]}]},
    'three_args_false_null_in_list': [{"if": ["cond_false", "a", None]}],
    'two_args_in_map_merge': {"map_merge": [{"a": 1}, {"if": [
        "cond_false", {"b": 2}]}]},
    'two_args_in_repeat_for_each': {"repeat": {"template": "%i%", "for_each": {
        "%i%": {"if": ["cond_false", ["a"]]}}}},
    'two_args_in_digest': {"digest": ["md5", {"if": ["cond_false", "x"]}]},
    'two_args_in_equals_value': {"list_join": [",", [{"if": ["cond_false",
                                                             "x"]}]]},
}.items():
    add('if', n, s, V_IF2)
add('if', 'in_condition_context', {"if": ["cond_true", True, False]},
    V_COND, context='condition')
add('if', 'Fn_If_in_hot', {"Fn::If": ["cond_true", "a", "b"]},
    ['2016-10-14', 'wallaby'], fn='Fn::If')

# filter
V_FL = ['2016-10-14', '2017-02-24', 'pike', 'wallaby']
fl = {
    'ints': [[1], [1, 2, 1, 3]],
    'null_values': [None, [1, None]],
    'null_in_values': [[None], [1, None, 2]],
    'empty_values': [[], [1, 2]],
    'empty_sequence': [[1], []],
    'null_sequence': [[1], None],
    'string_sequence': [[1], "abc"],
    'map_sequence': [[1], {"a": 1}],
    'int_values': [1, [1, 2]],
    'float_matches_int': [[1], [1.0, 2]],
    'bool_matches_int': [[True], [1, True, 0]],
    'from_param': [{"get_param": "p_list"}, ["a", "x"]],
    'param_sequence': [["a"], {"get_param": "p_list"}],
    'one_arg': ["a"],
    'string_arg': "abc",
    'empty_strings': [[""], ["", "a"]],
    'null_attr_value': [[{"get_attr": ["server1", "nothing"]}], [None, "x"]],
    'nested_lists': [[["a"]], [["a"], ["b"], "a"]],
    'map_values_arg': [{"a": 1}, ["a", "b"]],
    'unicode': [["\u00e9"], ["\u00e9", "e"]],
}
for n, a in fl.items():
    add('filter', n, {"filter": a}, V_FL)

# make_url
V_MU = ['2017-02-24', '2017-09-01', 'queens', 'wallaby']
mu = {
    'all_keys': {"scheme": "https", "username": "u", "password": "p",
                 "host": "example.com", "port": 8443, "path": "/a/b",
                 "query": {"x": "1", "y": "2"}, "fragment": "frag"},
    'query_order': {"scheme": "http", "host": "h", "query": {"b": "2",
                                                             "a": "1"}},
    'query_escaping': {"scheme": "http", "host": "h",
                       "query": {"q": "a b&c=d/e?f"}},
    'query_key_slash': {"scheme": "http", "host": "h",
                        "query": {"a/b": "c"}},
    'query_int': {"scheme": "http", "host": "h", "query": {"n": 5}},
    'query_list': {"scheme": "http", "host": "h", "query": {"l": ["a", "b"]}},
    'query_null': {"scheme": "http", "host": "h", "query": {"n": None}},
    'query_bool': {"scheme": "http", "host": "h", "query": {"b": True}},
    'query_unicode': {"scheme": "http", "host": "h",
                      "query": {"\u00e9": "\u2713"}},
    'query_empty': {"scheme": "http", "host": "h", "query": {}},
    'query_tilde_plus': {"scheme": "http", "host": "h",
                         "query": {"t": "a~b+c*d"}},
    'port_string': {"scheme": "http", "host": "h", "port": "8080"},
    'port_leading_zero': {"scheme": "http", "host": "h", "port": "0080"},
    'port_space': {"scheme": "http", "host": "h", "port": " 80"},
    'port_float': {"scheme": "http", "host": "h", "port": 80.5},
    'port_bool': {"scheme": "http", "host": "h", "port": True},
    'port_null': {"scheme": "http", "host": "h", "port": None},
    'port_empty': {"scheme": "http", "host": "h", "port": ""},
    'port_negative': {"scheme": "http", "host": "h", "port": -1},
    'port_max': {"scheme": "http", "host": "h", "port": 65535},
    'port_from_param': {"scheme": "http", "host": "h",
                        "port": {"get_param": "p_num"}},
    'port_from_string_param': {"scheme": "http", "host": "h",
                               "port": {"get_param": "p_port"}},
    'port_bad_from_param': {"scheme": "http", "host": "h",
                            "port": {"get_param": "p_str"}},
    'port_zero_from_param': {"scheme": "http", "host": "h",
                             "port": {"get_param": "p_zero"}},
    'ipv6_zone': {"scheme": "http", "host": "fe80::1%eth0"},
    'ipv6_param_port': {"scheme": "http", "host": {"get_param": "p_host6"},
                        "port": 80},
    'host_space': {"scheme": "http", "host": "a b"},
    'host_unicode': {"scheme": "http", "host": "b\u00fccher.de"},
    'path_unicode_space': {"scheme": "http", "host": "h",
                           "path": "/a b/\u00fc"},
    'path_no_slash': {"scheme": "http", "host": "h", "path": "foo"},
    'path_special': {"scheme": "http", "host": "h",
                     "path": "/a?b#c%d;e=f"},
    'path_empty': {"scheme": "http", "host": "h", "path": ""},
    'fragment_space': {"scheme": "http", "host": "h",
                       "fragment": "frag ment/x"},
    'no_scheme': {"host": "example.com", "path": "/x"},
    'empty_scheme': {"scheme": "", "host": "example.com"},
    'scheme_colon': {"scheme": "http:", "host": "h"},
    'path_only': {"path": "/x"},
    'username_only_empty_password': {"scheme": "http", "username": "w",
                                     "password": "", "host": "h"},
    'password_only': {"scheme": "http", "password": "pw", "host": "h"},
    'username_at': {"scheme": "http", "username": "a@b", "host": "h"},
    'invalid_key': {"scheme": "http", "hostname": "h"},
    'query_string': {"scheme": "http", "host": "h", "query": "a=b"},
    'host_number': {"scheme": "http", "host": 5},
    'scheme_null': {"scheme": None, "host": "h"},
    'query_from_param': {"scheme": "http", "host": "h",
                         "query": {"get_param": "p_env_json"}},
    'mailto': {"scheme": "mailto", "path": "a@b.c"},
    'port_without_host': {"scheme": "http", "port": 80, "path": "/x"},
    'scheme_without_host': {"scheme": "http", "path": "/x"},
    'file_scheme': {"scheme": "file", "path": "/etc/x"},
    'empty': {},
    'host_from_attr': {"scheme": "https", "host": {"get_attr": [
        "server1", "networks", "private", 1]}, "port": 443},
    'path_from_list_join': {"scheme": "http", "host": "h", "path": {
        "list_join": ["/", ["", "v1", {"get_param": "p_str"}]]}},
    'query_from_map_merge': {"scheme": "http", "host": "h", "query": {
        "map_merge": [{"a": "1"}, {"b": "2"}]}},
    'host_bracketed_ipv4': {"scheme": "http", "host": "[10.0.0.1]"},
    'host_with_port_colon': {"scheme": "http", "host": "h:80"},
    'uppercase_scheme': {"scheme": "HTTP", "host": "H"},
}
for n, a in mu.items():
    add('make_url', n, {"make_url": a}, V_MU)
add('make_url', 'args_list', {"make_url": ["http", "h"]}, V_MU)
add('make_url', 'args_string', {"make_url": "http://h"}, V_MU)
add('make_url', 'args_from_param', {"make_url": {"get_param": "p_json"}},
    V_MU)

# list_concat / list_concat_unique
V_LC = ['2017-02-24', '2017-09-01', '2018-08-31', 'wallaby']
lc = {
    'string_item': [["a"], "b"],
    'map_item': [["a"], {"k": 1}],
    'empty': [],
    'mixed_numbers': [[1, 2], [2.0]],
    'dup_maps': [[{"a": 1}], [{"a": 1}]],
    'params_attrs': [{"get_param": "p_list"}, {"get_attr": ["server1",
                                                            "list"]}],
    'null_arg': None,
    'map_arg': {"a": [1]},
    'null_middle': [["a"], None, ["b"]],
    'nested_lists': [[["n"]], ["x"]],
    'null_items': [[None], [None]],
    'mixed_eq_types': [[1, "1", 1.0, True], [1]],
    'order_preserved': [["b", "a", "b"], ["a", "c"]],
    'zero_false': [[0, False]],
    'nested_dups': [[[1], [1]]],
    'single_list': [["a", "a"]],
    'string_arg': "ab",
    'int_item': [["a"], 5],
    'unicode': [["\u00e9"], ["\u00e9", "e"]],
    'from_repeat': [{"repeat": {"template": "x%i%", "for_each": {
        "%i%": ["1", "1"]}}}, ["x1"]],
    'cdl_and_json': [{"get_param": "p_cdl_nums"},
                     {"get_param": "p_list_json"}],
}
for fn in ('list_concat', 'list_concat_unique'):
    for n, a in lc.items():
        add(fn, n, {fn: a}, V_LC)

# get_file
V_GF = ['2013-05-23', '2015-10-15', '2018-08-31', 'wallaby']
for n, a in {
    'subdir': "dir/sub.sh", 'json_file_as_text': "data.json",
    'not_reevaluated': "nested.txt", 'missing': "missing.txt",
    'empty_key': "", 'null_key': None, 'list_key': ["hello.txt"],
    'int_key': 5, 'from_param': {"get_param": "p_filekey"},
    'dot_slash': "./hello.txt", 'file_url': "file:///hello.txt",
    'unicode_content': "uni.txt", 'empty_content': "empty.txt",
    'case_sensitive': "Hello.txt",
}.items():
    add('get_file', n, {"get_file": a}, V_GF)
add('get_file', 'in_list_join', {"list_join": ["", [
    {"get_file": "hello.txt"}, {"get_file": "empty.txt"}]]}, V_GF)
add('get_file', 'no_files', {"get_file": "hello.txt"}, V_GF, files={})
add('get_file', 'in_condition', {"equals": [{"get_file": "hello.txt"},
                                            "x"]}, V_COND,
    context='condition')

# resource_facade
V_RF = ['2013-05-23', '2016-10-14', 'queens', 'wallaby']
for pname, parent in (('full', PARENT), ('minimal', PARENT_MIN),
                      ('snapshot', PARENT_SNAP)):
    for attr in ('metadata', 'deletion_policy', 'update_policy'):
        add('resource_facade', '%s_%s' % (attr, pname),
            {"resource_facade": attr}, V_RF, parent=parent)
for attr in ('deletion_policy', 'update_policy'):
    add('resource_facade', attr + '_no_parent', {"resource_facade": attr},
        V_RF, parent=None)
for n, a in {'cfn_deletion': "DeletionPolicy", 'list_arg': ["metadata"],
             'fn_arg': {"get_param": "p_str"}, 'null_arg': None,
             'upper': "METADATA"}.items():
    add('resource_facade', n, {"resource_facade": a}, V_RF)
add('resource_facade', 'in_list_join', {"list_join": ["-", [
    {"resource_facade": "deletion_policy"}, "x"]]}, V_RF)
add('resource_facade', 'in_condition', {"equals": [{
    "resource_facade": "deletion_policy"}, "Retain"]}, V_COND,
    context='condition')

# structure
V_ST = ['2013-05-23', '2016-10-14', 'wallaby']
for n, s in {
    'empty_map': {}, 'empty_list': [], 'string': "plain", 'int': 5,
    'float': 2.5, 'bool': True, 'null': None, 'big_int': 12345678901234567890,
    'neg_float': -0.5,
    'two_keys_with_fn_name': {"get_param": "p_str", "x": 1},
    'fn_in_list_of_maps': [{"a": {"get_param": "p_num"}}, [{"get_param":
                                                            "p_bool"}]],
    'unicode_keys': {"\u00e9": {"get_param": "p_unicode"}},
    'fn_name_as_value': {"a": "get_param"},
    'nested_unknown_fn': {"Fn::Sub": {"get_param": "p_str"}},
    'deep': {"a": {"b": {"c": {"d": [{"get_param": "p_list"}]}}}},
}.items():
    add('structure', n, s, V_ST)

# --------------------------------------------------------------------------
# CFN functions


def cf(fn, name, snip, vs=CFN, context='value', **kw):
    add('cfn.' + fn, name, snip, vs, context=context, fn=fn, **kw)


for n, a in {
    'number': "PNum", 'list': "PList", 'bool': "PBool", 'allowed': "Env",
    'env': "PEnv", 'stack_id': "AWS::StackId", 'region': "AWS::Region",
    'no_value': "AWS::NoValue", 'missing': "Nope", 'empty': "",
    'neg': "PNeg", 'float': "PFloat", 'cdl_empty': "PCdlEmpty",
    'unicode': "PUnicode", 'env_num': "PEnvNum", 'pending': "Pending",
    'deleted': "Deleted", 'int_arg': 5, 'null_arg': None,
    'map_arg': {"Ref": "PStr"}, 'os_pseudo': "OS::stack_name",
    'case': "pstr",
}.items():
    cf('Ref', n, {"Ref": a})
cf('Ref', 'cond_param', {"Fn::Equals": [{"Ref": "PStr"}, "foo"]},
   ['aws'], context='condition')
cf('Ref', 'cond_resource', {"Fn::Equals": [{"Ref": "WebServer"},
                                           "i-0abc123"]}, ['aws'],
   context='condition')
cf('Ref', 'cond_bare_resource', {"Ref": "WebServer"}, CFN,
   context='condition')
cf('Ref', 'cond_bare_param', {"Ref": "PBool"}, CFN, context='condition')

for n, a in {
    'ip': ["WebServer", "PublicIp"], 'map': ["WebServer", "Networks"],
    'int': ["WebServer", "Count"], 'three_args': ["WebServer", "Networks",
                                                  "private"],
    'one_arg': ["WebServer"], 'dotted_string': "WebServer.PublicIp",
    'missing_resource': ["Nope", "X"], 'resource_from_ref': [
        {"Ref": "PStr"}, "X"],
    'no_ref_id': ["Bucket", "DomainName"], 'show': ["WebServer", "show"],
    'pending': ["Pending", "Foo"], 'deleted': ["Deleted", "Foo"],
    'null_attr': ["WebServer", None], 'empty': [],
}.items():
    cf('Fn::GetAtt', n, {"Fn::GetAtt": a})
cf('Fn::GetAtt', 'in_join', {"Fn::Join": ["", ["http://", {
    "Fn::GetAtt": ["WebServer", "PublicIp"]}, "/"]]})

for n, a in {
    'empty': ["", []], 'refs': [",", [{"Ref": "PStr"}, {"Ref": "WebServer"}]],
    'ints': [",", [1, 2]], 'nested_list': [",", [["a"]]],
    'map_item': [",", [{"a": 1}]],
    'three_args': [",", ["a"], ["b"]], 'list_param': [",", {"Ref": "PList"}],
    'azs': [",", {"Fn::GetAZs": ""}], 'delim_ref': [{"Ref": "PSep"}, ["a",
                                                                       "b"]],
    'null_list': [",", None], 'not_list': "abc", 'one_arg': [","],
    'null_delim': [None, ["a"]], 'unicode': ["\u2713", ["\u00e9", "x"]],
    'findinmap_item': ["-", [{"Fn::FindInMap": ["RegionMap",
                                                "us-east-1", "AMI"]}]],
}.items():
    cf('Fn::Join', n, {"Fn::Join": a})

for n, a in {
    'int_index': [0, ["a", "b"]], 'list_param': ["1", {"Ref": "PList"}],
    'json_param_key': ["k1", {"Ref": "PJson"}],
    'bad_json_string': ["x", "notjson"], 'empty_string': ["0", ""],
    'null_collection': ["0", None], 'alpha_index_list': ["a", ["x"]],
    'int_index_map': [0, {"k": "v"}], 'json_list_string': ["0", "[1, 2]"],
    'json_map_string': ["k", "{\"k\": 5}"], 'one_arg': ["0"],
    'int_collection': ["0", 5], 'neg_oob': ["-3", ["a", "b"]],
    'float_index': [1.5, ["a", "b"]], 'float_str_index': ["1.5", ["a", "b"]],
    'azs': [0, {"Fn::GetAZs": ""}], 'bool_index': [True, ["a", "b"]],
    'index_from_ref': [{"Ref": "PIndex"}, ["a", "b"]],
    'map_null_value': ["k", {"k": None}], 'nested_select': [
        "0", {"Fn::Select": ["1", [["x"], ["y", "z"]]]}],
    'split_select': ["2", {"Fn::Split": [",", "a,b,c"]}],
    'string_abc': ["1", "abc"],
}.items():
    cf('Fn::Select', n, {"Fn::Select": a})

for n, a in {
    'basic': [",", "a,b,c"], 'empty_delim': ["", "abc"], 'int_string': [
        ",", 5], 'int_delim': [5, "a5b"], 'ref_string': [",", {"Ref": "PStr"}],
    'empty_string': [",", ""], 'string_arg': "a,b", 'map_arg': {"a": 1},
    'three_args': [",", "a,b", "c"], 'null_string': [",", None],
    'delim_ref': [{"Ref": "PSep"}, "a-b"], 'list_param': [",", {
        "Ref": "PList"}], 'unicode': ["\u00e9", "a\u00e9b"],
}.items():
    cf('Fn::Split', n, {"Fn::Split": a})

for n, a in {
    'longest_first': [{"$a": "1", "$ab": "2"}, "$ab $a"],
    'int_value': [{"x": 5}, "x"], 'list_value': [{"x": ["l"]}, "x"],
    'null_value': [{"x": None}, "axb"], 'bool_value': [{"x": True}, "x"],
    'string_mapping': ["$a", "x"], 'one_arg': [{"a": "b"}],
    'string_arg': "abc", 'ref_value': [{"$n": {"Ref": "PStr"}}, "hi $n"],
    'mapping_from_ref': [{"Ref": "PJson"}, "k1"],
    'template_ref': [{"o": "0"}, {"Ref": "PStr"}],
    'template_int': [{"1": "x"}, 123], 'map_arg': {"a": "b"},
}.items():
    cf('Fn::Replace', n, {"Fn::Replace": a})

for n, a in {
    'int': 5, 'ref': {"Ref": "PStr"}, 'null': None, 'empty': "",
    'list': ["a"], 'join': {"Fn::Join": ["", ["a", "b"]]},
}.items():
    cf('Fn::Base64', n, {"Fn::Base64": a}, ['heat'])

for n, a in {
    'region_ref': ["RegionMap", {"Ref": "AWS::Region"}, "AMI"],
    'missing_key': ["RegionMap", "nope", "AMI"],
    'missing_value': ["RegionMap", "us-east-1", "Nope"],
    'missing_map': ["Nope", "a", "b"],
    'two_args': ["RegionMap", "us-east-1"],
    'four_args': ["RegionMap", "us-east-1", "AMI", "x"],
    'ref_key': [{"Ref": "PStr"}, "a", "b"],
    'int_key': ["Nums", 1, "v"], 'str_num_key': ["Nums", "1", "v"],
    'deep_value': ["Deep", "k", "m"], 'not_list': "RegionMap",
    'null_arg': None,
}.items():
    cf('Fn::FindInMap', n, {"Fn::FindInMap": a})
cf('Fn::FindInMap', 'in_condition', {"Fn::Equals": [{"Fn::FindInMap": [
    "RegionMap", "ap-southeast-1", "Num"]}, 7]}, CFN, context='condition')

for n, a in {'region_ref': {"Ref": "AWS::Region"}, 'null': None,
             'int': 5, 'list': ["x"]}.items():
    cf('Fn::GetAZs', n, {"Fn::GetAZs": a})
cf('Fn::GetAZs', 'no_zones', {"Fn::GetAZs": ""}, azs=[])
cf('Fn::GetAZs', 'one_zone', {"Fn::GetAZs": ""}, azs=["only"])
add('Fn::GetAZs', 'in_hot_2013', {"Fn::GetAZs": ""}, ['2013-05-23'],
    fn='Fn::GetAZs')
add('Fn::GetAZs', 'in_hot_2013_select', {"Fn::Select": [1, {
    "Fn::GetAZs": ""}]}, ['2013-05-23', '2014-10-16'], fn='Fn::GetAZs')

for n, a in {
    'two_members': ["Name", "Value", [".member.0.Name=a", ".member.0.Value=1",
                                      ".member.1.Name=b",
                                      ".member.1.Value=2"]],
    'value_with_equals': ["Key", "Value", [".member.0.Key=k",
                                           ".member.0.Value=v=x"]],
    'int_keyname': [5, "Value", []], 'string_list': ["Name", "Value",
                                                     "notlist"],
    'int_items': ["Name", "Value", [5]], 'ref_list': ["Name", "Value", {
        "Ref": "PList"}],
    'no_leading_dot': ["Name", "Value", ["member.0.Name=a",
                                         "member.0.Value=1"]],
    'prefix': ["Name", "Value", ["Foo.member.0.Name=a",
                                 "Foo.member.0.Value=1"]],
    'index_order': ["Name", "Value", [".member.10.Name=ten",
                                      ".member.10.Value=10",
                                      ".member.2.Name=two",
                                      ".member.2.Value=2"]],
    'duplicate_names': ["Name", "Value", [".member.0.Name=a",
                                          ".member.0.Value=1",
                                          ".member.1.Name=a",
                                          ".member.1.Value=2"]],
    'extra_fields': ["Name", "Value", [".member.0.Name=a",
                                       ".member.0.Unit=u",
                                       ".member.0.Value=1"]],
    'null_list': ["Name", "Value", None],
    'empty_value': ["Name", "Value", [".member.0.Name=a",
                                      ".member.0.Value="]],
    'two_args': ["Name", "Value"],
}.items():
    cf('Fn::MemberListToMap', n, {"Fn::MemberListToMap": a})

for n, a in {
    'is_prod': ["IsProd", "a", "b"], 'is_dev': ["IsDev", "a", "b"],
    'not_prod_invalid': ["NotProd", "a", "b"], 'not_dev': ["NotDev", "a",
                                                           "b"],
    'dev_or_prod': ["DevOrProd", "a", "b"], 'and': ["ProdAndNotDev", 1, 2],
    'always': ["Always", {"Ref": "PStr"}, {"Ref": "Nope"}],
    'unknown': ["Nope", "a", "b"], 'literal_true': [True, "a", "b"],
    'inline_equals': [{"Fn::Equals": [{"Ref": "Env"}, "prod"]}, "y", "n"],
    'condition_fn': [{"Condition": "IsProd"}, "a", "b"],
    'bool_cond': ["BoolTrue", "a", "b"], 'four_args': ["IsProd", "a", "b",
                                                       "c"],
    'nested': ["IsProd", {"Fn::If": ["IsDev", "x", "y"]}, "z"],
    'null_false': ["IsDev", "a", None],
}.items():
    cf('Fn::If', n, {"Fn::If": a})

for n, s in {
    'ref_env': {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    'num_ref_vs_int': {"Fn::Equals": [{"Ref": "PNum"}, 42]},
    'num_ref_vs_str': {"Fn::Equals": [{"Ref": "PNum"}, "42"]},
    'bool_ref_vs_str': {"Fn::Equals": [{"Ref": "PBool"}, "true"]},
    'not_name': {"Fn::Not": ["IsProd"]},
    'not_inline': {"Fn::Not": [{"Fn::Equals": ["a", "b"]}]},
    'not_empty': {"Fn::Not": []}, 'not_two': {"Fn::Not": [True, False]},
    'not_bool_name': {"Fn::Not": ["BoolTrue"]},
    'and_names': {"Fn::And": ["IsProd", "NotDev"]},
    'and_invalid_cond': {"Fn::And": ["IsProd", "NotProd"]},
    'or_names': {"Fn::Or": ["IsDev", "IsProd"]},
    'or_inline': {"Fn::Or": [{"Fn::Equals": [1, 1]}, False]},
    'and_one': {"Fn::And": [True]}, 'or_string': {"Fn::Or": "IsProd"},
    'or_short_circuit': {"Fn::Or": [True, "Nope"]},
    'and_short_circuit': {"Fn::And": [False, "Nope"]},
    'equals_int_float': {"Fn::Equals": [1, 1.0]},
    'equals_three': {"Fn::Equals": [1, 1, 1]},
    'get_azs_in_condition': {"Fn::Equals": [{"Fn::GetAZs": ""}, ["az1"]]},
    'select_in_condition': {"Fn::Equals": [{"Fn::Select": [0, ["a"]]},
                                           "a"]},
    'hot_equals_in_cfn': {"equals": [1, 1]},
    'condition_name_bare': "IsProd",
    'cond_bool_literal': True,
}.items():
    fn = list(s)[0] if isinstance(s, dict) else 'Condition'
    cf(fn, 'cond_' + n, s, CFN, context='condition')
for n, s in {'equals_value_ctx': {"Fn::Equals": ["a", "a"]},
             'and_value_ctx': {"Fn::And": [True, True]},
             'or_value_ctx': {"Fn::Or": [True, False]}}.items():
    cf(list(s)[0], n, s)

for n, a in {'metadata': "Metadata", 'deletion': "DeletionPolicy",
             'update': "UpdatePolicy", 'hot_style': "metadata",
             'null': None}.items():
    cf('Fn::ResourceFacade', n, {"Fn::ResourceFacade": a})
    cf('Fn::ResourceFacade', n + '_snapshot_parent',
       {"Fn::ResourceFacade": a}, parent=PARENT_SNAP)
cf('Fn::ResourceFacade', 'metadata_minimal_parent',
   {"Fn::ResourceFacade": "Metadata"}, parent=PARENT_MIN)
cf('Fn::ResourceFacade', 'deletion_no_parent',
   {"Fn::ResourceFacade": "DeletionPolicy"}, parent=None)
add('Fn::ResourceFacade', 'in_hot_2013',
    {"Fn::ResourceFacade": "DeletionPolicy"}, ['2013-05-23'],
    fn='Fn::ResourceFacade')

# CFN-in-HOT 2013-05-23 (still supported there)
V13 = ['2013-05-23']
for fn, s in {
    'Ref': {"Ref": "server1"}, 'Ref_param': {"Ref": "p_str"},
    'Fn::Join': {"Fn::Join": [",", [{"get_param": "p_str"}, "x"]]},
    'Fn::Split': {"Fn::Split": [",", "a,b"]},
    'Fn::Replace': {"Fn::Replace": [{"a": "b"}, "abc"]},
    'Fn::Base64': {"Fn::Base64": {"get_param": "p_str"}},
    'Fn::MemberListToMap': {"Fn::MemberListToMap": [
        "Name", "Value", [".member.0.Name=a", ".member.0.Value=1"]]},
    'Fn::Select': {"Fn::Select": ["1", {"get_param": "p_list"}]},
    'Fn::FindInMap': {"Fn::FindInMap": ["a", "b", "c"]},
    'Fn::GetAtt': {"Fn::GetAtt": ["server1", "name"]},
}.items():
    add('cfn_in_hot', fn.replace('::', '_'), s,
        V13 + ['2014-10-16', '2015-04-30'], fn=fn.split('_')[0])

# --------------------------------------------------------------------------
# Nested combinations (value context, recent versions)
V_NEST = ['2017-09-01', 'rocky', 'wallaby']
nest = {
    'join_replace_attr': {"list_join": ["-", [
        {"str_replace": {"template": "h-$n", "params": {
            "$n": {"get_param": "p_str"}}}},
        {"get_attr": ["server1", "name"]}]]},
    'replace_on_join': {"str_replace": {"template": {"list_join": [
        ",", {"get_param": "p_list"}]}, "params": {",": ";"}}},
    'merge_repeat_list': {"map_merge": [{"repeat": {
        "template": {"k%i%": "%i%"}, "for_each": {"%i%": ["1"]}}}]},
    'yaql_on_concat': {"yaql": {"expression": "$.data.len()", "data": {
        "list_concat": [["a"], {"get_param": "p_list"}]}}},
    'split_join_repeat': {"str_split": [",", {"list_join": [",", {
        "repeat": {"template": "x%i%", "for_each": {
            "%i%": ["1", "2", "3"]}}}]}, 1]},
    'if_map_replace': {"if": ["cond_true", {"map_replace": [
        {"a": "b"}, {"keys": {"a": "A"}}]}, {}]},
    'digest_join': {"digest": ["sha256", {"list_join": ["", [
        {"get_param": "p_str"}, {"get_attr": ["server1", "name"]}]]}]},
    'make_url_all_fns': {"make_url": {
        "scheme": "https", "host": {"get_attr": ["server1",
                                                 "first_address"]},
        "port": {"get_param": "p_num"},
        "path": {"list_join": ["/", ["", "v1", {"get_param": "p_str"}]]},
        "query": {"map_merge": [{"a": {"get_param": "p_unicode"}},
                                {"b": "x y"}]}}},
    'filter_concat': {"filter": [[{"get_param": "p_str"}], {"list_concat": [
        ["foo", "bar"], {"get_param": "p_list"}]}]},
    'contains_split': {"contains": [{"get_param": "p_str"}, {
        "str_split": [",", "foo,bar"]}]},
    'get_param_path_split': {"get_param": ["p_json", {"str_split": [
        ".", "nested.x"]}]},
    'get_attr_name_replace': {"get_attr": ["server1", {"str_replace": {
        "template": "first_X", "params": {"X": "address"}}}]},
    'repeat_for_each_split': {"repeat": {"template": "<%s%>", "for_each": {
        "%s%": {"str_split": [",", "a,b"]}}}},
    'map_replace_values_param': {"map_replace": [{"x": "foo"}, {
        "values": {"foo": {"get_param": "p_num"}}}]},
    'list_concat_unique_attrs': {"list_concat_unique": [
        {"get_attr": ["server1", "networks", "private"]},
        [{"get_attr": ["server1", "first_address"]}]]},
    'yaql_format_params': {"yaql": {"expression":
                                    "format('{0}:{1}', $.data.h, $.data.p)",
                                    "data": {"h": {"get_attr": [
                                        "server1", "first_address"]},
                                        "p": {"get_param": "p_num"}}}},
    'str_replace_vstrict_in_join': {"list_join": [",", [
        {"str_replace_vstrict": {"template": "a$x", "params": {
            "$x": {"get_param": "p_str"}}}}, "b"]]},
    'deep_struct': {"a": [{"b": {"list_join": ["", ["x", {
        "get_param": "p_str"}]]}}, {"if": ["cond_false", 1, 2]}]},
    'join_of_maps_from_repeat': {"list_join": [";", {"repeat": {
        "template": {"n": "%i%"}, "for_each": {"%i%": ["1", "2"]}}}]},
    'get_file_replace': {"str_replace": {"template": {"get_file":
                                                      "hello.txt"},
                                         "params": {"file": "FILE",
                                                    "\n": ""}}},
    'select_from_yaql_list': {"str_split": [",", {"yaql": {
        "expression": "$.data.join(',')", "data": ["a", "b"]}}, 0]},
}
for n, s in nest.items():
    add('nested', n, s, V_NEST, fn='nested')

# --------------------------------------------------------------------------
# Availability of functions the visible corpus does not list


def avail_add(fn, snip_hot, snip_cfn=None):
    for ver in HOT_ALL + CFN:
        cfn = ver in CFN
        s = snip_cfn if (cfn and snip_cfn is not None) else snip_hot
        add('avail.value', fn, s, [ver], fn=fn, category='availability')
        if cfn or ge(ver, '2016-10-14'):
            add('avail.condition', fn, s, [ver], context='condition',
                fn=fn, category='availability')


avail_add('get_param', {"get_param": "p_str"})
avail_add('str_split', {"str_split": [",", "a,b"]})
avail_add('repeat', {"repeat": {"template": "%i%",
                                "for_each": {"%i%": ["a"]}}})
avail_add('digest', {"digest": ["md5", "a"]})
avail_add('map_merge', {"map_merge": [{"a": 1}, {"b": 2}]})
avail_add('yaql', {"yaql": {"expression": "$.data", "data": True}})
avail_add('if', {"if": [True, "a", "b"]})
avail_add('str_replace_strict', {"str_replace_strict": {
    "template": "x", "params": {"x": "y"}}})
avail_add('str_replace_vstrict', {"str_replace_vstrict": {
    "template": "x", "params": {"x": "y"}}})
avail_add('make_url', {"make_url": {"scheme": "http", "host": "h"}})
avail_add('contains', {"contains": ["a", ["a"]]})
avail_add('list_concat_unique', {"list_concat_unique": [["a"], ["a"]]})
avail_add('map_replace', {"map_replace": [{"a": 1}, {"keys": {"a": "b"}}]})
avail_add('resource_facade', {"resource_facade": "metadata"})
avail_add('get_resource', {"get_resource": "server1"},
          {"get_resource": "WebServer"})
avail_add('Fn::Split', {"Fn::Split": [",", "a,b"]})
avail_add('Fn::Replace', {"Fn::Replace": [{"a": "b"}, "abc"]})
avail_add('Fn::MemberListToMap', {"Fn::MemberListToMap": ["Name", "Value",
                                                          []]})
avail_add('Fn::FindInMap', {"Fn::FindInMap": ["RegionMap", "us-east-1",
                                              "AMI"]})
avail_add('Fn::If', {"Fn::If": [True, "a", "b"]})
avail_add('Fn::Equals', {"Fn::Equals": ["a", "a"]})
avail_add('Fn::Or', {"Fn::Or": [True, False]})
avail_add('Fn::And', {"Fn::And": [True, False]})
avail_add('or', {"or": [True, False]})
avail_add('Fn::Select', {"Fn::Select": ["0", ["a"]]})
avail_add('Fn::GetAZs', {"Fn::GetAZs": ""})

# --------------------------------------------------------------------------
# Template versions


def version_case(name, tmpl):
    CASES.append({
        "id": "held.version.%s" % name, "function": "(template version)",
        "category": "version",
        "template_version": {k: v for k, v in tmpl.items()
                             if k.endswith('Version') or
                             k == 'heat_template_version'},
        "context": "template", "snippet": None, "template": tmpl,
        "parameters": {}, "parameter_values": {}})


for v in HOT_ALL:
    if v not in ('2016-04-08', '2021-04-16', 'ocata', 'rocky', 'wallaby'):
        version_case('hot_' + v, {"heat_template_version": v})
for n, t in {
    'hot_bad_2012': {"heat_template_version": "2012-12-12"},
    'hot_capital_alias': {"heat_template_version": "Pike"},
    'hot_future': {"heat_template_version": "2021-04-17"},
    'hot_empty': {"heat_template_version": ""},
    'hot_int': {"heat_template_version": 2013},
    'hot_xena': {"heat_template_version": "xena"},
    'aws_ok': {"AWSTemplateFormatVersion": "2010-09-09"},
    'heat_bad': {"HeatTemplateFormatVersion": "2012-12-13"},
    'none': {"resources": {}},
    'both_hot_aws': {"heat_template_version": "2013-05-23",
                     "AWSTemplateFormatVersion": "2010-09-09"},
    'both_aws_heat': {"AWSTemplateFormatVersion": "2010-09-09",
                      "HeatTemplateFormatVersion": "2012-12-12"},
    'hot_null': {"heat_template_version": None},
    'aws_with_hot_sections': {"AWSTemplateFormatVersion": "2010-09-09",
                              "resources": {}},
}.items():
    version_case(n, t)


# --------------------------------------------------------------------------
# Parameter values Heat only checks when they are used (special templates)

def hot_template_extra(extra_params, extra_conds=None):
    def mk(ver):
        t = hot_template(ver)
        t["parameters"].update(copy.deepcopy(extra_params))
        if extra_conds and "conditions" in t:
            t["conditions"].update(copy.deepcopy(extra_conds))
        return t
    return mk


PV_BAD = dict(HOT_PARAM_VALUES, **{
    "p_num": "abc", "p_bool": "maybe", "p_json": "{bad",
    "p_list": "[\"a\", \"b\"]", "p_str": 5})
V_PV = ['2015-10-15', '2016-10-14', 'wallaby']
for n, s in {
    'bad_number_value': {"get_param": "p_num"},
    'bad_boolean_value': {"get_param": "p_bool"},
    'bad_json_value': {"get_param": "p_json"},
    'json_looking_list_value': {"get_param": "p_list"},
    'int_value_for_string': {"get_param": "p_str"},
    'unaffected_param': {"get_param": "p_env"},
    'unaffected_attr': {"get_attr": ["server1", "name"]},
}.items():
    add('param_values', n, s, V_PV, fn='get_param', params=PV_BAD)
add('param_values', 'cond_bad_bool', {"not": {"get_param": "p_bool"}},
    ['2016-10-14', 'wallaby'], context='condition', fn='get_param',
    params=PV_BAD)

NOVAL = {"p_noval": {"type": "string"}}
NOVAL_C = {"cond_noval": {"equals": [{"get_param": "p_noval"}, "x"]}}
for n, s in {
    'other_param_ok': {"get_param": "p_str"},
    'param_without_value': {"get_param": "p_noval"},
    'if_on_condition_without_value': {"if": ["cond_noval", "a", "b"]},
    'if_other_condition': {"if": ["cond_true", "a", "b"]},
}.items():
    vs = ['2016-10-14', 'wallaby'] if 'if' in n else V_PV
    add('param_values', n, s, vs, fn='get_param',
        template_fn=hot_template_extra(NOVAL, NOVAL_C))
add('param_values', 'cond_without_value', {"equals": [
    {"get_param": "p_noval"}, "x"]}, ['2016-10-14', 'wallaby'],
    context='condition', fn='get_param',
    template_fn=hot_template_extra(NOVAL, NOVAL_C))
add('param_values', 'cond_name_without_value', {"not": "cond_noval"},
    ['2016-10-14', 'wallaby'], context='condition', fn='get_param',
    template_fn=hot_template_extra(NOVAL, NOVAL_C))
add('param_values', 'constraint_violation_allowed',
    {"get_param": "p_allowed"}, V_PV, fn='get_param',
    template_fn=hot_template_extra({"p_allowed": {
        "type": "string", "default": "x",
        "constraints": [{"allowed_values": ["a", "b"]}]}}))
add('param_values', 'constraint_violation_range',
    {"get_param": "p_ranged"}, V_PV, fn='get_param',
    template_fn=hot_template_extra({"p_ranged": {
        "type": "number", "default": 100,
        "constraints": [{"range": {"min": 1, "max": 10}}]}}))
add('cfn.Ref', 'env_not_allowed', {"Ref": "Env"}, CFN, fn='Ref',
    params=dict(CFN_PARAM_VALUES, Env="qa"))
add('cfn.Ref', 'cond_env_not_allowed', {"Fn::Equals": [{"Ref": "Env"},
                                                       "qa"]}, ['aws'],
    context='condition', fn='Ref', params=dict(CFN_PARAM_VALUES, Env="qa"))


# --------------------------------------------------------------------------

def main():
    env = os.environ.get
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--visible', default=os.path.join(
        env('CONFORMANCE_DIR', '/work/shared/conformance'),
        'functions', 'cases.json'))
    ap.add_argument('--out', default=os.path.join(
        env('OUT', '/tmp/heatgen'), 'cases_held_input.json'))
    a = ap.parse_args()
    with open(a.visible, encoding='utf-8') as f:
        vis = json.load(f)['cases']

    def key(c):
        return (c['context'], json.dumps(c['snippet'], sort_keys=True),
                json.dumps(c['template_version'], sort_keys=True),
                c['category'])
    vkeys = {key(c) for c in vis}
    ids = collections.Counter(c['id'] for c in CASES)
    dups = [i for i, n in ids.items() if n > 1]
    if dups:
        print('duplicate ids:', dups[:20])
        sys.exit(1)
    out = []
    dropped = 0
    for c in CASES:
        if c['category'] != 'version' and key(c) in vkeys:
            dropped += 1
            continue
        out.append(c)
    with open(a.out, 'w', encoding='utf-8') as f:
        json.dump({"cases": out}, f, ensure_ascii=False)
    print('%d cases (%d dropped as in the visible set) -> %s' % (
        len(out), dropped, a.out))


if __name__ == '__main__':
    main()
