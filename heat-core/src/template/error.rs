//! [`TemplateError`]: every problem found in a template, with where it is.

use std::fmt;

/// What kind of problem a [`TemplateError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The document could not be read (YAML/JSON syntax, not a mapping).
    Syntax,
    /// A size, nesting or count limit was exceeded.
    Limit,
    /// The version key is missing or unknown.
    Version,
    /// A section, resource key or output key is not valid.
    Structure,
    /// A parameter definition or value is invalid.
    Parameter,
    /// A condition is invalid.
    Condition,
    /// An intrinsic function is misused.
    Function,
    /// A reference to a resource that does not exist.
    Reference,
    /// The resources depend on each other in a cycle.
    Cycle,
    /// A resource type is unknown or its properties are invalid.
    Resource,
    /// An output is invalid.
    Output,
    /// An environment file is invalid.
    Environment,
}

impl ErrorKind {
    /// The kind as a lowercase word, for machine-readable output.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::Limit => "limit",
            ErrorKind::Version => "version",
            ErrorKind::Structure => "structure",
            ErrorKind::Parameter => "parameter",
            ErrorKind::Condition => "condition",
            ErrorKind::Function => "function",
            ErrorKind::Reference => "reference",
            ErrorKind::Cycle => "cycle",
            ErrorKind::Resource => "resource",
            ErrorKind::Output => "output",
            ErrorKind::Environment => "environment",
        }
    }
}

/// A problem in a template: what, where (path and line) and, for cycles,
/// the resources in the cycle in order.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct TemplateError {
    /// The kind of problem.
    pub kind: ErrorKind,
    /// What is wrong, in Heat's words where Heat has words for it.
    pub message: String,
    /// The path in the template (`resources.web.properties.image`), empty at top level.
    pub path: String,
    /// The line in the file, 0 when unknown.
    pub line: u32,
    /// The resources of a dependency cycle, in order.
    pub cycle: Vec<String>,
}

impl TemplateError {
    /// A new error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        TemplateError {
            kind,
            message: message.into(),
            path: String::new(),
            line: 0,
            cycle: Vec::new(),
        }
    }

    /// The same error at a path and line.
    pub fn at(mut self, path: impl Into<String>, line: u32) -> Self {
        self.path = path.into();
        self.line = line;
        self
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: ", self.line)?;
        }
        if !self.path.is_empty() && !self.message.starts_with(&self.path) {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl From<crate::function::FnError> for TemplateError {
    fn from(e: crate::function::FnError) -> Self {
        TemplateError::new(ErrorKind::Function, e.message).at(e.path, e.line)
    }
}
