//! Which names are functions in which template version and context.
//!
//! A single-key map whose key is not a function in the template's version
//! is plain data. In a condition context, Heat turns every value function
//! that is not also a condition function into an error ("invalid in this
//! context"), keeping removed functions as removed.

use super::{AttStyle, FnKind, ReplaceStyle};
use crate::version::{Dialect, HotVersion as V};

/// What a map key means in a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// A function.
    Function(FnKind),
    /// A function that may not be used here (condition context).
    Invalid,
    /// Not a function: the map is data.
    Literal,
}

/// What `name` means in `dialect`, in a value or a condition context.
pub fn lookup(dialect: Dialect, name: &str, condition: bool) -> Lookup {
    match dialect {
        Dialect::Hot(v) => hot(v, name, condition),
        Dialect::Cfn => cfn(name, condition, true),
        Dialect::Heat => cfn(name, condition, false),
    }
}

fn hot(v: V, name: &str, condition: bool) -> Lookup {
    let value = hot_value(v, name);
    if !condition {
        return value.map(Lookup::Function).unwrap_or(Lookup::Literal);
    }
    if let Some(kind) = hot_condition(v, name) {
        return Lookup::Function(kind);
    }
    match value {
        Some(FnKind::Removed) => Lookup::Function(FnKind::Removed),
        Some(_) => Lookup::Invalid,
        None => Lookup::Literal,
    }
}

fn hot_condition(v: V, name: &str) -> Option<FnKind> {
    if v < V::V2016_10_14 {
        return None;
    }
    Some(match name {
        "equals" => FnKind::Equals,
        "get_param" => FnKind::GetParam,
        "not" => FnKind::Not { cfn: false },
        "and" => FnKind::And,
        "or" => FnKind::Or,
        "yaql" if v >= V::V2017_09_01 => FnKind::Yaql,
        "contains" if v >= V::V2017_09_01 => FnKind::Contains,
        _ => return None,
    })
}

fn hot_value(v: V, name: &str) -> Option<FnKind> {
    const CFN_REMOVED: [&str; 8] = [
        "Fn::GetAZs",
        "Fn::Join",
        "Fn::Split",
        "Fn::Replace",
        "Fn::Base64",
        "Fn::MemberListToMap",
        "Fn::ResourceFacade",
        "Ref",
    ];
    if v == V::V2013_05_23 {
        return Some(match name {
            "Fn::GetAZs" => FnKind::GetAzs,
            "get_param" => FnKind::GetParam,
            "get_resource" => FnKind::GetResource,
            "Ref" => FnKind::ParamRef,
            "get_attr" => FnKind::GetAtt(AttStyle::ThenSelect),
            "Fn::Select" => FnKind::Select,
            "Fn::Join" => FnKind::Join { multiple: false },
            "list_join" => FnKind::Join { multiple: false },
            "Fn::Split" => FnKind::Split,
            "str_replace" => FnKind::Replace(ReplaceStyle::Plain),
            "Fn::Replace" => FnKind::CfnReplace,
            "Fn::Base64" => FnKind::Base64 { encode: false },
            "Fn::MemberListToMap" => FnKind::MemberListToMap,
            "resource_facade" => FnKind::ResourceFacade { cfn: false },
            "Fn::ResourceFacade" => FnKind::ResourceFacade { cfn: true },
            "get_file" => FnKind::GetFile,
            _ => return None,
        });
    }
    if CFN_REMOVED.contains(&name) {
        return Some(FnKind::Removed);
    }
    let kind = match name {
        "get_attr" if v >= V::V2015_10_15 => FnKind::GetAtt(AttStyle::All),
        "get_attr" => FnKind::GetAtt(AttStyle::Path),
        "get_file" => FnKind::GetFile,
        "get_param" => FnKind::GetParam,
        "get_resource" => FnKind::GetResource,
        "list_join" => FnKind::Join {
            multiple: v >= V::V2015_10_15,
        },
        "resource_facade" => FnKind::ResourceFacade { cfn: false },
        "str_replace" if v >= V::V2015_10_15 => FnKind::Replace(ReplaceStyle::Json),
        "str_replace" => FnKind::Replace(ReplaceStyle::Plain),
        "Fn::Select" if v >= V::V2015_10_15 => FnKind::Removed,
        "Fn::Select" => FnKind::Select,
        "digest" if v >= V::V2015_04_30 => FnKind::Digest,
        "repeat" if v >= V::V2015_04_30 => FnKind::Repeat {
            maps: v >= V::V2016_10_14,
            permutations: v >= V::V2017_09_01,
        },
        "str_split" if v >= V::V2015_10_15 => FnKind::StrSplit,
        "map_merge" if v >= V::V2016_04_08 => FnKind::MapMerge,
        "yaql" if v >= V::V2016_10_14 => FnKind::Yaql,
        "map_replace" if v >= V::V2016_10_14 => FnKind::MapReplace,
        "if" if v >= V::V2016_10_14 => FnKind::If {
            nullable: v >= V::V2021_04_16,
        },
        "filter" if v >= V::V2017_02_24 => FnKind::Filter,
        "str_replace_strict" if v >= V::V2017_02_24 => FnKind::Replace(ReplaceStyle::Strict),
        "str_replace_vstrict" if v >= V::V2017_09_01 => FnKind::Replace(ReplaceStyle::VeryStrict),
        "make_url" if v >= V::V2017_09_01 => FnKind::MakeUrl,
        "list_concat" if v >= V::V2017_09_01 => FnKind::ListConcat { unique: false },
        "list_concat_unique" if v >= V::V2017_09_01 => FnKind::ListConcat { unique: true },
        "contains" if v >= V::V2017_09_01 => FnKind::Contains,
        _ => return None,
    };
    Some(kind)
}

/// CloudFormation (`aws`: `AWSTemplateFormatVersion`, with conditions and the
/// modern functions heat-rs adds) and Heat's `HeatTemplateFormatVersion`.
fn cfn(name: &str, condition: bool, aws: bool) -> Lookup {
    if condition && aws {
        let kind = match name {
            "Fn::Equals" => Some(FnKind::Equals),
            "Ref" => Some(FnKind::ParamRef),
            "Fn::FindInMap" => Some(FnKind::FindInMap),
            "Fn::Not" => Some(FnKind::Not { cfn: true }),
            "Fn::And" => Some(FnKind::And),
            "Fn::Or" => Some(FnKind::Or),
            "Condition" => Some(FnKind::Condition),
            _ => None,
        };
        if let Some(kind) = kind {
            return Lookup::Function(kind);
        }
    }
    let kind = match name {
        "Fn::FindInMap" => FnKind::FindInMap,
        "Fn::GetAZs" => FnKind::GetAzs,
        "Ref" => FnKind::ParamRef,
        "Fn::GetAtt" => FnKind::GetAtt(AttStyle::Cfn),
        "Fn::Select" => FnKind::Select,
        "Fn::Join" => FnKind::Join { multiple: false },
        "Fn::Split" => FnKind::Split,
        "Fn::Replace" => FnKind::CfnReplace,
        "Fn::Base64" => FnKind::Base64 { encode: aws },
        "Fn::MemberListToMap" => FnKind::MemberListToMap,
        "Fn::ResourceFacade" => FnKind::ResourceFacade { cfn: true },
        "Fn::If" if aws => FnKind::If { nullable: false },
        "Fn::Sub" if aws => FnKind::Sub,
        "Fn::Cidr" if aws => FnKind::Cidr,
        "Fn::Length" if aws => FnKind::Length,
        "Fn::ToJsonString" if aws => FnKind::ToJsonString,
        "Fn::ImportValue" if aws => FnKind::ImportValue,
        _ => return Lookup::Literal,
    };
    if condition {
        Lookup::Invalid
    } else {
        Lookup::Function(kind)
    }
}
