//! Intrinsic functions: parsed once from a template snippet into an
//! [`Expr`] tree, checked against the template version, then evaluated
//! through a [`Resolver`] that supplies parameters, resources and attributes.
//!
//! Heat fails a function at one of three stages, and so do we: *parse*
//! (wrong argument shape, a function used where it is not allowed),
//! *validate* (a function removed from this version, an unknown attribute)
//! and *resolve* (bad values met while evaluating).

mod attributes;
mod builtins;
pub mod catalog;
mod conditions;
mod digest;
mod eval;
mod parse;
pub mod python;
mod strings;
mod table;
mod url;
mod yaql;

pub use eval::{literal, partial, resolve, resolve_nullable, validate, Resolver};
pub use parse::{parse, Context};
pub use table::{lookup, Lookup};

use serde_json::Value as Json;

/// Why `resource_facade` has nothing to give in a stack that is not
/// nested (Heat: `'NoneType' object has no attribute 'metadata_get'`).
pub const NO_FACADE: &str = "resource_facade gives the data of the resource a nested stack \
    stands for (a template resource's metadata, deletion policy or update policy); this \
    stack is not nested";

/// When an error was found, as Heat's stages count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// While reading the function and its argument shape.
    Parse,
    /// While validating without evaluating.
    Validate,
    /// While evaluating.
    Resolve,
}

impl Stage {
    /// The stage's name: `parse`, `validate` or `resolve`.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Parse => "parse",
            Stage::Validate => "validate",
            Stage::Resolve => "resolve",
        }
    }
}

/// A function that failed, with where it sits in the template.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct FnError {
    /// When the error was found.
    pub stage: Stage,
    /// What is wrong.
    pub message: String,
    /// The path of the function in the template (`resources.web.properties.image.get_param`).
    pub path: String,
    /// The line of the function, 0 when unknown.
    pub line: u32,
}

impl FnError {
    pub(crate) fn new(stage: Stage, message: impl Into<String>) -> Self {
        FnError {
            stage,
            message: message.into(),
            path: String::new(),
            line: 0,
        }
    }

    pub(crate) fn resolve(message: impl Into<String>) -> Self {
        Self::new(Stage::Resolve, message)
    }

    /// Places a relative path (of an error found while evaluating) under a
    /// map key or list index of the enclosing snippet.
    pub(crate) fn under(mut self, segment: &str) -> Self {
        if self.stage != Stage::Parse {
            self.path = match (self.path.is_empty(), self.path.starts_with('[')) {
                (true, _) => segment.to_string(),
                (false, true) => format!("{segment}{}", self.path),
                (false, false) => format!("{segment}.{}", self.path),
            };
        }
        self
    }

    /// Places the error under `base`: errors found while evaluating carry
    /// a path relative to the snippet, which `base` prefixes; parse errors
    /// already carry their full path. The innermost line wins.
    pub fn at(mut self, base: &str, line: u32) -> Self {
        if self.path.is_empty() {
            self.path = base.to_string();
        } else if self.stage != Stage::Parse && !base.is_empty() {
            self.path = format!("{base}.{}", self.path);
        }
        if self.line == 0 {
            self.line = line;
        }
        self
    }
}

/// A parsed template snippet.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A scalar (never a list or map).
    Lit(Json),
    /// A list.
    List(Vec<Expr>),
    /// A map that is not a function call.
    Map(Vec<(String, Expr)>),
    /// A function call.
    Call(Box<Call>),
}

impl Expr {
    /// The literal string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expr::Lit(Json::String(s)) => Some(s),
            _ => None,
        }
    }

    /// Whether this is a function call.
    pub fn is_call(&self) -> bool {
        matches!(self, Expr::Call(_))
    }

    /// Back to plain data, calls as their single-key maps (Heat's
    /// `__reduce__`).
    pub fn to_json(&self) -> Json {
        match self {
            Expr::Lit(v) => v.clone(),
            Expr::List(l) => Json::Array(l.iter().map(Expr::to_json).collect()),
            Expr::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Expr::Call(c) => {
                let mut o = serde_json::Map::new();
                o.insert(c.name.clone(), c.args.to_json());
                Json::Object(o)
            }
        }
    }

    /// Visits every call in the tree, outermost first.
    pub fn for_each_call<'a>(&'a self, f: &mut dyn FnMut(&'a Call)) {
        match self {
            Expr::Lit(_) => {}
            Expr::List(l) => l.iter().for_each(|e| e.for_each_call(f)),
            Expr::Map(m) => m.iter().for_each(|(_, e)| e.for_each_call(f)),
            Expr::Call(c) => {
                f(c);
                c.args.for_each_call(f);
            }
        }
    }
}

/// How `get_attr` behaves in a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttStyle {
    /// 2013-05-23: attribute, then a path selected from it.
    ThenSelect,
    /// 2014-10-16 to 2015-04-30: the path goes to the resource.
    Path,
    /// 2015-10-15 on: a resource name alone gives every attribute.
    All,
    /// CloudFormation's `Fn::GetAtt`: exactly resource and attribute.
    Cfn,
}

/// How `str_replace` treats its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplaceStyle {
    /// Strings and numbers only (before 2015-10-15, and `Fn::Replace`).
    Plain,
    /// Maps and lists serialised as JSON (2015-10-15 on).
    Json,
    /// Every param must occur in the template (`str_replace_strict`).
    Strict,
    /// Strict, and no param may be empty (`str_replace_vstrict`).
    VeryStrict,
}

/// Which function a call is, with the variations versions bring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnKind {
    /// `get_param`.
    GetParam,
    /// CloudFormation `Ref` to a parameter (or pseudo parameter).
    ParamRef,
    /// `get_resource`, or `Ref` to a resource.
    GetResource,
    /// `get_attr` / `Fn::GetAtt`.
    GetAtt(AttStyle),
    /// `get_file`.
    GetFile,
    /// `list_join` / `Fn::Join`; `multiple` from 2015-10-15.
    Join {
        /// Several lists, maps and lists JSON-serialised.
        multiple: bool,
    },
    /// `str_replace` and variants.
    Replace(ReplaceStyle),
    /// `Fn::Replace` (arguments as `[params, template]`).
    CfnReplace,
    /// `str_split`.
    StrSplit,
    /// `Fn::Split`.
    Split,
    /// `Fn::Select`.
    Select,
    /// `Fn::Base64`; `encode` is false for Heat's identity behaviour.
    Base64 {
        /// Really encode (CloudFormation templates).
        encode: bool,
    },
    /// `Fn::MemberListToMap`.
    MemberListToMap,
    /// `Fn::FindInMap`.
    FindInMap,
    /// `Fn::GetAZs`.
    GetAzs,
    /// `resource_facade` / `Fn::ResourceFacade`.
    ResourceFacade {
        /// CloudFormation argument names (`Metadata`, ...).
        cfn: bool,
    },
    /// `digest`.
    Digest,
    /// `repeat`.
    Repeat {
        /// `for_each` values may be maps (their keys are used).
        maps: bool,
        /// The `permutations` key is honoured.
        permutations: bool,
    },
    /// `map_merge`.
    MapMerge,
    /// `map_replace`.
    MapReplace,
    /// `yaql`.
    Yaql,
    /// `equals` / `Fn::Equals`.
    Equals,
    /// `if` / `Fn::If`; `nullable` allows the 2-argument form (2021-04-16).
    If {
        /// Two arguments allowed; a false result removes the item.
        nullable: bool,
    },
    /// `not` / `Fn::Not`.
    Not {
        /// CloudFormation form: a one-item list.
        cfn: bool,
    },
    /// `and` / `Fn::And`.
    And,
    /// `or` / `Fn::Or`.
    Or,
    /// CloudFormation `{"Condition": name}`.
    Condition,
    /// `filter`.
    Filter,
    /// `make_url`.
    MakeUrl,
    /// `list_concat` / `list_concat_unique`.
    ListConcat {
        /// Remove duplicates.
        unique: bool,
    },
    /// `contains`.
    Contains,
    /// A function removed from this HOT version.
    Removed,
    /// `Fn::Sub`.
    Sub,
    /// `Fn::Cidr`.
    Cidr,
    /// `Fn::Length`.
    Length,
    /// `Fn::ToJsonString`.
    ToJsonString,
    /// `Fn::ImportValue`.
    ImportValue,
    /// CloudFormation's `{"Ref": "AWS::NoValue"}`: removes the property or
    /// item it stands in.
    NoValue,
}

/// A function call in a template.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Which function.
    pub kind: FnKind,
    /// The name as written (`get_attr`, `Fn::GetAtt`).
    pub name: String,
    /// The arguments.
    pub args: Expr,
    /// The line of the call, 0 when unknown.
    pub line: u32,
}

pub use conditions::sub_references;
