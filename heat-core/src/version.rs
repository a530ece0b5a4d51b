//! Template versions: the three dialects Heat reads and HOT's dated versions.

use std::fmt;

/// A dated HOT version, oldest first (so versions compare by date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HotVersion {
    /// 2013-05-23 (Icehouse).
    V2013_05_23,
    /// 2014-10-16 (Juno).
    V2014_10_16,
    /// 2015-04-30 (Kilo).
    V2015_04_30,
    /// 2015-10-15 (Liberty).
    V2015_10_15,
    /// 2016-04-08 (Mitaka).
    V2016_04_08,
    /// 2016-10-14 (Newton).
    V2016_10_14,
    /// 2017-02-24 (Ocata).
    V2017_02_24,
    /// 2017-09-01 (Pike).
    V2017_09_01,
    /// 2018-03-02 (Queens).
    V2018_03_02,
    /// 2018-08-31 (Rocky).
    V2018_08_31,
    /// 2021-04-16 (Wallaby).
    V2021_04_16,
}

/// Every accepted `heat_template_version` value, in Heat's order, and the
/// version it stands for.
pub const HOT_VERSIONS: [(&str, HotVersion); 17] = [
    ("2013-05-23", HotVersion::V2013_05_23),
    ("2014-10-16", HotVersion::V2014_10_16),
    ("2015-04-30", HotVersion::V2015_04_30),
    ("2015-10-15", HotVersion::V2015_10_15),
    ("2016-04-08", HotVersion::V2016_04_08),
    ("2016-10-14", HotVersion::V2016_10_14),
    ("2017-02-24", HotVersion::V2017_02_24),
    ("2017-09-01", HotVersion::V2017_09_01),
    ("2018-03-02", HotVersion::V2018_03_02),
    ("2018-08-31", HotVersion::V2018_08_31),
    ("2021-04-16", HotVersion::V2021_04_16),
    ("newton", HotVersion::V2016_10_14),
    ("ocata", HotVersion::V2017_02_24),
    ("pike", HotVersion::V2017_09_01),
    ("queens", HotVersion::V2018_03_02),
    ("rocky", HotVersion::V2018_08_31),
    ("wallaby", HotVersion::V2021_04_16),
];

impl HotVersion {
    /// The date string of this version.
    pub fn date(self) -> &'static str {
        HOT_VERSIONS
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(d, _)| *d)
            .expect("every version has a date")
    }

    /// Whether this version has the `conditions` section and condition
    /// functions (2016-10-14 and later).
    pub fn has_conditions(self) -> bool {
        self >= HotVersion::V2016_10_14
    }
}

/// The template language and version a template is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// HOT, `heat_template_version`.
    Hot(HotVersion),
    /// CloudFormation, `AWSTemplateFormatVersion: 2010-09-09`.
    Cfn,
    /// Heat's own CloudFormation flavour, `HeatTemplateFormatVersion: 2012-12-12`.
    Heat,
}

impl Dialect {
    /// The version key of this dialect.
    pub fn key(self) -> &'static str {
        match self {
            Dialect::Hot(_) => "heat_template_version",
            Dialect::Cfn => "AWSTemplateFormatVersion",
            Dialect::Heat => "HeatTemplateFormatVersion",
        }
    }

    /// Whether this is a HOT template.
    pub fn is_hot(self) -> bool {
        matches!(self, Dialect::Hot(_))
    }

    /// Whether a HOT template is at least `v`.
    pub fn hot_at_least(self, v: HotVersion) -> bool {
        matches!(self, Dialect::Hot(h) if h >= v)
    }

    /// Heat's class name for the template, as its tools print it.
    pub fn class_name(self) -> String {
        match self {
            Dialect::Hot(v) => format!("HOTemplate{}", v.date().replace('-', "")),
            Dialect::Cfn => "CfnTemplate".into(),
            Dialect::Heat => "HeatTemplate".into(),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dialect::Hot(v) => write!(f, "heat_template_version: {}", v.date()),
            Dialect::Cfn => f.write_str("AWSTemplateFormatVersion: 2010-09-09"),
            Dialect::Heat => f.write_str("HeatTemplateFormatVersion: 2012-12-12"),
        }
    }
}
