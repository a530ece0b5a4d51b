//! From a template snippet to an [`Expr`]: function lookup per version and
//! the argument-shape checks Heat makes when it builds a function.

use serde_json::Value as Json;

use super::table::{lookup, Lookup};
use super::{AttStyle, Call, Expr, FnError, FnKind, Stage};
use crate::syntax::{Node, Number, Value};
use crate::version::Dialect;

/// What the parser needs to know about the template around a snippet.
pub struct Context<'a> {
    /// The template's dialect and version.
    pub dialect: Dialect,
    /// Whether `name` is a resource of the template (CloudFormation's `Ref`
    /// means a resource when it names one, a parameter otherwise).
    pub is_resource: &'a dyn Fn(&str) -> bool,
}

/// Parses a snippet found at `path`; `condition` selects the condition
/// context (the `conditions` section, `if`'s first argument).
pub fn parse(node: &Node, ctx: &Context<'_>, path: &str, condition: bool) -> Result<Expr, FnError> {
    let mut p = Parser {
        ctx,
        path: path.to_string(),
    };
    p.node(node, condition)
}

struct Parser<'c, 'a> {
    ctx: &'c Context<'a>,
    path: String,
}

fn scalar(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(Number::Int(i)) => Json::from(*i),
        Value::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::String(s) => Json::String(s.clone()),
        Value::List(_) | Value::Map(_) => unreachable!("scalar() is only called on scalars"),
    }
}

impl Parser<'_, '_> {
    fn node(&mut self, node: &Node, condition: bool) -> Result<Expr, FnError> {
        match &node.value {
            Value::List(items) => {
                let base = self.path.len();
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.path.push_str(&format!("[{i}]"));
                    let e = self.node(item, condition);
                    self.path.truncate(base);
                    out.push(e?);
                }
                Ok(Expr::List(out))
            }
            Value::Map(map) => {
                if map.len() == 1 {
                    let (name, args) = map.iter().next().expect("one entry");
                    match lookup(self.ctx.dialect, name, condition) {
                        Lookup::Literal => {}
                        Lookup::Invalid => {
                            return Err(self.err(
                                name,
                                node.line,
                                format!("The function \"{name}\" is invalid in this context"),
                            ))
                        }
                        Lookup::Function(kind) => {
                            return self.call(kind, name, args, node.line, condition)
                        }
                    }
                }
                let base = self.path.len();
                let mut out = Vec::with_capacity(map.len());
                for (k, v) in map.iter() {
                    self.push(k);
                    let e = self.node(v, condition);
                    self.path.truncate(base);
                    out.push((k.clone(), e?));
                }
                Ok(Expr::Map(out))
            }
            _ => Ok(Expr::Lit(scalar(node))),
        }
    }

    fn push(&mut self, key: &str) {
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(key);
    }

    fn err(&self, name: &str, line: u32, message: String) -> FnError {
        let path = if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        };
        FnError {
            stage: Stage::Parse,
            message,
            path,
            line,
        }
    }

    fn call(
        &mut self,
        kind: FnKind,
        name: &str,
        args: &Node,
        line: u32,
        condition: bool,
    ) -> Result<Expr, FnError> {
        let base = self.path.len();
        self.push(name);
        let parsed = self.args(kind, args, condition);
        self.path.truncate(base);
        let args = parsed?;
        let kind = match kind {
            FnKind::ParamRef => match &args {
                Expr::List(_) | Expr::Map(_) => {
                    let found = if matches!(args, Expr::List(_)) {
                        "a list"
                    } else {
                        "a map"
                    };
                    return Err(self.err(
                        name,
                        line,
                        format!(
                            "{name} takes the name of a parameter or a resource; found {found}"
                        ),
                    ));
                }
                // Heat looks the argument up among the parameters when it
                // parses: a function cannot be looked up there.
                Expr::Call(c) => {
                    return Err(self.err(
                        name,
                        line,
                        format!(
                            "{name} takes the name of a parameter or a resource, not a function \
                             ({} is not resolved first)",
                            c.name
                        ),
                    ))
                }
                // In conditions, `Ref` names parameters only.
                Expr::Lit(Json::String(s)) if (self.ctx.is_resource)(s) && !condition => {
                    FnKind::GetResource
                }
                Expr::Lit(Json::String(s))
                    if s == "AWS::NoValue" && self.ctx.dialect == Dialect::Cfn =>
                {
                    FnKind::NoValue
                }
                _ => FnKind::ParamRef,
            },
            other => other,
        };
        if let Err(message) = check_shape(kind, name, &args) {
            return Err(self.err(name, line, message));
        }
        Ok(Expr::Call(Box::new(Call {
            kind,
            name: name.to_string(),
            args,
            line,
        })))
    }

    /// Arguments are parsed in the caller's context, except the condition
    /// functions' operands and `if`'s first argument, which are conditions.
    fn args(&mut self, kind: FnKind, args: &Node, condition: bool) -> Result<Expr, FnError> {
        match kind {
            FnKind::If { .. } => match &args.value {
                Value::List(items) if !items.is_empty() => {
                    let base = self.path.len();
                    let mut out = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        self.path.push_str(&format!("[{i}]"));
                        let e = self.node(item, i == 0 || condition);
                        self.path.truncate(base);
                        out.push(e?);
                    }
                    Ok(Expr::List(out))
                }
                _ => self.node(args, condition),
            },
            FnKind::Not { .. } | FnKind::And | FnKind::Or => self.node(args, true),
            _ => self.node(args, condition),
        }
    }
}

fn list_len(e: &Expr) -> Option<usize> {
    match e {
        Expr::List(l) => Some(l.len()),
        _ => None,
    }
}

fn is_map(e: &Expr) -> bool {
    matches!(e, Expr::Map(_))
}

fn is_str(e: &Expr) -> bool {
    matches!(e, Expr::Lit(Json::String(_)))
}

/// Python's truthiness of an unevaluated argument (calls are truthy).
fn falsy(e: &Expr) -> bool {
    match e {
        Expr::Lit(Json::Null) => true,
        Expr::Lit(Json::Bool(b)) => !b,
        Expr::Lit(Json::Number(n)) => n.as_f64() == Some(0.0),
        Expr::Lit(Json::String(s)) => s.is_empty(),
        Expr::List(l) => l.is_empty(),
        Expr::Map(m) => m.is_empty(),
        _ => false,
    }
}

fn map_get<'e>(e: &'e Expr, key: &str) -> Option<&'e Expr> {
    match e {
        Expr::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// The checks Heat's function constructors make on their arguments.
fn check_shape(kind: FnKind, name: &str, args: &Expr) -> Result<(), String> {
    let n = list_len(args);
    match kind {
        FnKind::GetAtt(AttStyle::Cfn)
            if n != Some(2) => {
                return Err(format!(
                    "Arguments to \"{name}\" must be of the form [resource_name, attribute]"
                ));
            }
        FnKind::GetAtt(AttStyle::All) => {
            if falsy(args) {
                return Err(format!(
                    "Arguments to \"{name}\" can be of the next forms: [resource_name] or [resource_name, attribute, (path), ...]"
                ));
            }
            if n.is_none() {
                return Err(format!("Argument to \"{name}\" must be a list"));
            }
        }
        FnKind::GetAtt(_) => {
            match n {
                None => return Err(format!("Argument to \"{name}\" must be a list")),
                Some(k) if k < 2 => {
                    return Err(format!(
                        "Arguments to \"{name}\" must be of the form [resource_name, attribute, (path), ...]"
                    ))
                }
                _ => {}
            }
        }
        FnKind::Join { multiple } => {
            let example = if multiple {
                format!("\"{name}\" : [ \" \", [ \"str1\", \"str2\"] ...]")
            } else {
                format!("\"{name}\" : [ \" \", [ \"str1\", \"str2\"]]")
            };
            let ok = match n {
                None => false,
                Some(k) if multiple => k >= 2,
                Some(k) => k == 2,
            };
            if !ok {
                return Err(format!("Incorrect arguments to \"{name}\" should be: {example}"));
            }
        }
        FnKind::Replace(_) => {
            if !is_map(args) {
                return Err(format!("Arguments to \"{name}\" must be a map"));
            }
            let (Some(params), Some(_)) = (map_get(args, "params"), map_get(args, "template")) else {
                return Err(format!(
                    "\"{name}\" syntax should be {name}:\n              template: This is var1 template var2\n              params:\n                var1: a\n                var2: string"
                ));
            };
            if !(is_map(params) || params.is_call()) {
                return Err(format!("\"{name}\" parameters must be a mapping"));
            }
        }
        FnKind::CfnReplace => {
            let example = format!(
                "{{\"{name}\": [ {{\"$var1\": \"foo\", \"%var2%\": \"bar\"}}, \"$var1 is %var2%\"]}}"
            );
            if is_str(args) || is_map(args) {
                return Err(format!("Incorrect arguments to \"{name}\" should be: {example}"));
            }
            if n != Some(2) {
                return Err(format!("Incorrect arguments to \"{name}\" should be: {example}"));
            }
            if let Expr::List(l) = args {
                if !(is_map(&l[0]) || l[0].is_call()) {
                    return Err(format!("\"{name}\" parameters must be a mapping"));
                }
            }
        }
        FnKind::StrSplit
            if (is_str(args) || is_map(args)) => {
                return Err(format!(
                    "Incorrect arguments to \"{name}\" should be: \"{name}\" : [ \",\", \"apples,pears\", <index>]"
                ));
            }
        FnKind::Split => {
            let msg = format!("Incorrect arguments to \"{name}\" should be: \"{name}\" : [ \",\", \"str1,str2\"]]");
            if is_str(args) || is_map(args) || n != Some(2) {
                return Err(msg);
            }
        }
        FnKind::Select
            if n != Some(2) => {
                return Err(format!("Arguments to \"{name}\" must be of the form [index, collection]"));
            }
        FnKind::MemberListToMap => {
            let Expr::List(l) = args else {
                return Err(member_list_usage());
            };
            if l.len() != 3 {
                return Err(member_list_usage());
            }
            if !is_str(&l[0]) {
                return Err(format!("{name} Key Name must be a string"));
            }
            if !is_str(&l[1]) {
                return Err(format!("{name} Value Name must be a string"));
            }
        }
        FnKind::FindInMap
            if n != Some(3) => {
                return Err(format!(
                    "{name} takes three arguments [map name, key, value name]; got {}",
                    n.unwrap_or(0)
                ));
            }
        FnKind::ResourceFacade { cfn } => {
            let allowed: [&str; 3] = if cfn {
                ["Metadata", "DeletionPolicy", "UpdatePolicy"]
            } else {
                ["metadata", "deletion_policy", "update_policy"]
            };
            if !args.as_str().is_some_and(|s| allowed.contains(&s)) {
                return Err(format!(
                    "Incorrect arguments to \"{name}\" should be one of: {}",
                    allowed.join(", ")
                ));
            }
        }
        FnKind::Repeat { permutations, .. } => {
            if !is_map(args) {
                return Err(format!("Arguments to \"{name}\" must be a map"));
            }
            if map_get(args, "for_each").is_none() || map_get(args, "template").is_none() {
                return Err(
                    "\"repeat\" syntax should be repeat:\n              template: This is %var%\n              for_each:\n                %var%: ['a', 'b', 'c']"
                        .to_string(),
                );
            }
            if permutations {
                if let Some(p) = map_get(args, "permutations") {
                    if !matches!(p, Expr::Lit(Json::Bool(_))) {
                        return Err(format!("\"permutations\" should be boolean type for {name} function."));
                    }
                }
            }
        }
        FnKind::Yaql => {
            let Expr::Map(m) = args else {
                return Err(format!("Arguments to \"{name}\" must be a map."));
            };
            if map_get(args, "expression").is_none() || m.iter().any(|(k, _)| k != "expression" && k != "data") {
                return Err(format!(
                    "\"{name}\" syntax should be {name}:\n              expression: $.data.var1.sum()\n              data:\n                var1: [3, 2, 1]"
                ));
            }
        }
        FnKind::Equals
            if (falsy(args) || n != Some(2)) => {
                return Err(format!("Arguments to \"{name}\" must be of the form: [value_1, value_2]"));
            }
        FnKind::If { nullable } => {
            let ok = match n {
                Some(3) => true,
                Some(2) => nullable,
                _ => false,
            };
            if !ok {
                let form = if nullable {
                    "[condition_name, value_if_true, value_if_false] or [condition_name, value_if_true]"
                } else {
                    "[condition_name, value_if_true, value_if_false]"
                };
                return Err(format!("Arguments to \"{name}\" must be of the form: {form}"));
            }
        }
        FnKind::Not { cfn: true }
            if n != Some(1) => {
                return Err(format!("Arguments to \"{name}\" must be of the form: [condition]"));
            }
        FnKind::Not { cfn: false } => {
            if matches!(args, Expr::Lit(Json::Null)) {
                return Err(format!("Argument to \"{name}\" must be a condition"));
            }
        }
        FnKind::And | FnKind::Or => {
            match n {
                None => return Err(format!("Arguments to \"{name}\" must be a list of conditions")),
                Some(k) if k < 2 => {
                    return Err(format!("The minimum number of condition arguments to \"{name}\" is 2."))
                }
                _ => {}
            }
        }
        FnKind::Filter => match n {
            None => return Err(format!("Argument to \"{name}\" must be a list")),
            Some(2) => {}
            Some(k) => {
                return Err(format!(
                    "\"{name}\" expected 2 arguments of the form [values, sequence] but got {k} arguments instead"
                ))
            }
        },
        FnKind::Contains => {
            if falsy(args) || n.is_none() {
                return Err(format!(
                    "Incorrect arguments to \"{name}\" should be: \"{name}\" : [ \"value1\", [ \"value1\", \"value2\"]]"
                ));
            }
            if n != Some(2) {
                return Err(format!("Arguments to \"{name}\" must be of the form: [value1, [value1, value2]]"));
            }
        }
        FnKind::Sub => {
            let ok = is_str(args)
                || matches!(args, Expr::List(l) if l.len() == 2 && (is_str(&l[0]) || l[0].is_call()) && (is_map(&l[1]) || l[1].is_call()));
            if !ok {
                return Err(format!(
                    "Arguments to \"{name}\" must be a string or [string, {{variables}}]"
                ));
            }
        }
        FnKind::Cidr
            if n != Some(3) => {
                return Err(format!("Arguments to \"{name}\" must be of the form [ip_block, count, cidr_bits]"));
            }
        FnKind::Condition
            if !is_str(args) => {
                return Err(format!("Argument to \"{name}\" must be a condition name"));
            }
        _ => {}
    }
    Ok(())
}

fn member_list_usage() -> String {
    "Wrong Arguments try: \"\n            {'Fn::MemberListToMap': ['Name', 'Value',\n                                     ['.member.0.Name=key',\n                                      '.member.0.Value=door']]}\n            \"".to_string()
}
