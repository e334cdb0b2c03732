//! CloudFormation: the document of one template file (YAML or JSON) → its resources with located
//! settings.
//!
//! Takes the documents [`super::tree`] read from a file; a document is a template when it has
//! `AWSTemplateFormatVersion` or a `Resources` map with at least one `AWS::` type. Gives one
//! [`Resource`] per entry of `Resources`, addressed by its logical id, of kind its `Type`
//! (`AWS::S3::Bucket`), whose body is its `Properties`: setting paths read as the template does
//! (`PublicAccessBlockConfiguration.BlockPublicAcls`).
//!
//! Intrinsic functions, in either form (`!Ref X` or `{"Ref": "X"}`, `!Sub` or `Fn::Sub`), are
//! resolved as far as that is sound without a stack:
//!
//! | written | read as |
//! | --- | --- |
//! | `Ref` to a parameter with a `Default` | the default, located at the default's line |
//! | `Ref` to a parameter without one, or to a pseudo parameter | [`Value::Unknown`] |
//! | `Ref: AWS::NoValue` | absent (null), as CloudFormation removes the property |
//! | `Ref` to a resource, `GetAtt` | [`Value::Ref`] (`Bucket`, `Bucket.Arn`), for rules to follow |
//! | `Sub` and `Join` over known parts, `Select` from a known list | the string / element |
//! | `If` (conditions are not evaluated), `FindInMap`, `ImportValue`, `GetAZs`, `Base64`, `Cidr`, `Split`, `Transform`, any unknown tag | [`Value::Unknown`] naming the function |
//!
//! Conditions are deliberately not evaluated: they depend on parameters given at deploy time, so
//! a default is a guess about which branch ran. A resource with a `Condition` is judged as
//! declared (the template says what it is when it exists).

use super::tree::{Kind, Node};
use crate::model::{Location, Resource, SettingPath, Unit, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Pseudo parameters: known only to the stack.
const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// Is this document a CloudFormation template?
pub fn is_template(doc: &Node) -> bool {
    doc.get("AWSTemplateFormatVersion").is_some()
        || doc.get("Resources").is_some_and(|r| {
            r.entries().iter().any(|(_, _, res)| {
                res.get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.starts_with("AWS::"))
            })
        })
}

/// The resources of the first template among `docs`.
pub fn read(path: &str, docs: &[Node]) -> Unit {
    let Some(doc) = docs.iter().find(|d| is_template(d)) else {
        return Unit::default();
    };
    let params: BTreeMap<&str, &Node> = doc
        .get("Parameters")
        .map(|p| {
            p.entries()
                .iter()
                .map(|(k, _, n)| (k.as_str(), n))
                .collect()
        })
        .unwrap_or_default();
    let logical: BTreeSet<&str> = doc
        .get("Resources")
        .map(|r| r.entries().iter().map(|(k, _, _)| k.as_str()).collect())
        .unwrap_or_default();
    let ctx = Ctx {
        file: path,
        params,
        logical,
    };
    let mut resources = BTreeMap::new();
    for (id, line, res) in doc.get("Resources").map(Node::entries).unwrap_or(&[]) {
        let Some(kind) = res.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let mut locations = BTreeMap::new();
        let body = match res.get("Properties") {
            Some(p) => ctx.value(p, &SettingPath::root(), &mut locations),
            None => Value::Map(BTreeMap::new()),
        };
        let body = match body {
            Value::Map(m) => Value::Map(m),
            // Properties written as something other than a map (an `!If` over two maps).
            other => {
                let mut m = BTreeMap::new();
                m.insert("Properties".to_string(), other);
                Value::Map(m)
            }
        };
        resources.insert(
            id.clone(),
            Resource {
                address: id.clone(),
                kind: kind.to_string(),
                location: ctx.loc(*line),
                body,
                locations,
            },
        );
    }
    Unit {
        resources,
        problems: Vec::new(),
        moved: Vec::new(),
        removed: Vec::new(),
        imports: Vec::new(),
        ..Default::default()
    }
}

struct Ctx<'a> {
    file: &'a str,
    params: BTreeMap<&'a str, &'a Node>,
    logical: BTreeSet<&'a str>,
}

impl Ctx<'_> {
    fn loc(&self, line: u32) -> Location {
        Location {
            file: self.file.to_string(),
            line,
        }
    }

    fn value(
        &self,
        node: &Node,
        path: &SettingPath,
        locs: &mut BTreeMap<SettingPath, Location>,
    ) -> Value {
        match &node.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => Value::Number(n.clone()),
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Tagged(tag, inner) => {
                let name = tag.trim_start_matches('!');
                let name = name.strip_prefix("Fn::").unwrap_or(name);
                self.intrinsic(name, inner, path, locs)
            }
            Kind::Map(entries) => {
                if let [(k, _, arg)] = entries.as_slice() {
                    if k == "Ref" || k == "Condition" {
                        return self.intrinsic(k, arg, path, locs);
                    }
                    if let Some(name) = k.strip_prefix("Fn::") {
                        return self.intrinsic(name, arg, path, locs);
                    }
                }
                let mut m = BTreeMap::new();
                for (k, line, child) in entries {
                    let p = path.key(k);
                    locs.insert(p.clone(), self.loc(*line));
                    m.insert(k.clone(), self.value(child, &p, locs));
                }
                Value::Map(m)
            }
            Kind::Seq(items) => Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let p = path.index(i);
                        locs.insert(p.clone(), self.loc(item.line));
                        self.value(item, &p, locs)
                    })
                    .collect(),
            ),
        }
    }

    fn intrinsic(
        &self,
        name: &str,
        arg: &Node,
        path: &SettingPath,
        locs: &mut BTreeMap<SettingPath, Location>,
    ) -> Value {
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.reference(target, path, locs),
                None => unknown("Ref", "its argument is not a name"),
            },
            "GetAtt" => {
                let parts: Option<Vec<&str>> = match &arg.kind {
                    Kind::Str(s) => Some(vec![s.as_str()]),
                    Kind::Seq(items) => items.iter().map(Node::as_str).collect(),
                    _ => None,
                };
                match parts {
                    Some(p) if !p.is_empty() => Value::Ref(p.join(".")),
                    _ => unknown("GetAtt", "its argument is not known statically"),
                }
            }
            "Sub" => self.sub(arg, path),
            "Join" => {
                let Kind::Seq(items) = &arg.kind else {
                    return unknown("Join", "malformed");
                };
                let (Some(sep), Some(list)) = (items.first(), items.get(1)) else {
                    return unknown("Join", "malformed");
                };
                let sep = sep.as_str().unwrap_or("");
                match self.value(list, path, &mut BTreeMap::new()) {
                    Value::List(parts) => {
                        let strs: Option<Vec<String>> = parts.iter().map(scalar_text).collect();
                        match strs {
                            Some(s) => Value::String(s.join(sep)),
                            None => unknown("Join", "a part is not known statically"),
                        }
                    }
                    _ => unknown("Join", "the list is not known statically"),
                }
            }
            "Select" => {
                let Kind::Seq(items) = &arg.kind else {
                    return unknown("Select", "malformed");
                };
                let (Some(i), Some(list)) = (items.first(), items.get(1)) else {
                    return unknown("Select", "malformed");
                };
                let idx = self
                    .value(i, path, &mut BTreeMap::new())
                    .as_i64()
                    .and_then(|n| usize::try_from(n).ok());
                match (idx, self.value(list, path, &mut BTreeMap::new())) {
                    (Some(n), Value::List(l)) if n < l.len() => l[n].clone(),
                    _ => unknown("Select", "the index or list is not known statically"),
                }
            }
            "If" => {
                let cond = match &arg.kind {
                    Kind::Seq(items) => items.first().and_then(Node::as_str).unwrap_or("?"),
                    _ => "?",
                };
                Value::Unknown(format!("Fn::If {cond} (conditions are not evaluated)"))
            }
            other => Value::Unknown(format!("Fn::{other} (not evaluated statically)")),
        }
    }

    fn reference(
        &self,
        target: &str,
        path: &SettingPath,
        locs: &mut BTreeMap<SettingPath, Location>,
    ) -> Value {
        if target == "AWS::NoValue" {
            return Value::Null;
        }
        if PSEUDO.contains(&target) {
            return Value::Unknown(format!("Ref {target} (known only to the stack)"));
        }
        if let Some(param) = self.params.get(target) {
            return match param.get("Default") {
                Some(d) => {
                    locs.insert(path.clone(), self.loc(d.line));
                    let list_type = param
                        .get("Type")
                        .and_then(Node::as_str)
                        .is_some_and(|t| t.contains("List"));
                    match (&d.kind, list_type) {
                        (Kind::Str(s), true) => Value::List(
                            s.split(',')
                                .map(|x| Value::String(x.trim().into()))
                                .collect(),
                        ),
                        _ => self.value(d, path, &mut BTreeMap::new()),
                    }
                }
                None => Value::Unknown(format!(
                    "Ref {target} (parameter without a default: given at deploy time)"
                )),
            };
        }
        if self.logical.contains(target) {
            return Value::Ref(target.to_string());
        }
        Value::Unknown(format!("Ref {target} (no such parameter or resource)"))
    }

    /// `Fn::Sub` over parameters with defaults; anything else in `${}` leaves it unknown.
    fn sub(&self, arg: &Node, path: &SettingPath) -> Value {
        let (text, vars) = match &arg.kind {
            Kind::Str(s) => (s.as_str(), None),
            Kind::Seq(items) => match (items.first().and_then(Node::as_str), items.get(1)) {
                (Some(s), vars) => (s, vars),
                _ => return unknown("Sub", "malformed"),
            },
            _ => return unknown("Sub", "malformed"),
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
                continue;
            }
            let local = vars.and_then(|v| v.get(name));
            let resolved = match local {
                Some(n) => self.value(n, path, &mut BTreeMap::new()),
                None => self.reference(name, path, &mut BTreeMap::new()),
            };
            match scalar_text(&resolved) {
                Some(s) => out.push_str(&s),
                None => {
                    return Value::Unknown(format!(
                        "Fn::Sub {text:?} (${{{name}}} is not known statically)"
                    ))
                }
            }
        }
        out.push_str(rest);
        Value::String(out)
    }
}

fn unknown(function: &str, why: &str) -> Value {
    Value::Unknown(format!("Fn::{function} ({why})"))
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tree::{parse_json, parse_yaml};

    const YAML: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Cidr:
    Type: String
    Default: 0.0.0.0/0
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: !Sub '${AWS::StackName}-web'
      Tags:
        - Key: env
          Value: !Ref Env
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Ref Cidr
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub
        - '${Prefix}-data'
        - Prefix: acme
      AccessControl: !If [IsProd, Private, PublicRead]
      LoggingConfiguration:
        DestinationBucketName: !Ref Logs
      Arn: !GetAtt Logs.Arn
      Custom: !Whatever x
      Gone: !Ref AWS::NoValue
  Logs:
    Type: AWS::S3::Bucket
";

    fn unit(text: &str, json: bool) -> Unit {
        let d = if json {
            parse_json(text)
        } else {
            parse_yaml(text)
        };
        assert!(d.error.is_none(), "{:?}", d.error);
        read("cfn/stack.yaml", &d.docs)
    }

    fn get<'a>(u: &'a Unit, addr: &str, path: &str) -> Option<&'a Value> {
        u.resources[addr].get(&SettingPath::parse(path))
    }

    #[test]
    fn intrinsics_in_short_form() {
        let u = unit(YAML, false);
        assert_eq!(u.resources.len(), 3);
        assert_eq!(u.resources["Web"].kind, "AWS::EC2::SecurityGroup");
        let cidr = SettingPath::parse("SecurityGroupIngress[0].CidrIp");
        assert_eq!(
            u.resources["Web"].get(&cidr),
            Some(&Value::str("0.0.0.0/0"))
        );
        // Located at the parameter's default, where the value was written.
        assert_eq!(u.resources["Web"].location_of(&cidr).line, 5);
        assert!(get(&u, "Web", "GroupName").is_some_and(Value::is_unknown));
        assert!(get(&u, "Web", "Tags[0].Value").is_some_and(Value::is_unknown));
        assert_eq!(
            get(&u, "Data", "BucketName"),
            Some(&Value::str("acme-data"))
        );
        assert!(get(&u, "Data", "AccessControl").is_some_and(Value::is_unknown));
        assert_eq!(
            get(&u, "Data", "LoggingConfiguration.DestinationBucketName"),
            Some(&Value::Ref("Logs".into()))
        );
        assert_eq!(get(&u, "Data", "Arn"), Some(&Value::Ref("Logs.Arn".into())));
        assert!(get(&u, "Data", "Custom").is_some_and(Value::is_unknown));
        assert_eq!(get(&u, "Data", "Gone"), Some(&Value::Null));
        assert_eq!(u.resources["Data"].location.line, 23);
    }

    #[test]
    fn json_templates_and_long_form() {
        let json = r#"{
  "Parameters": {"Open": {"Type": "String", "Default": "PublicRead"}},
  "Resources": {
    "B": {
      "Type": "AWS::S3::Bucket",
      "Properties": {
        "AccessControl": {"Ref": "Open"},
        "Name": {"Fn::Join": ["-", ["a", {"Ref": "Open"}]]},
        "Pick": {"Fn::Select": [1, ["x", "y"]]}
      }
    }
  }
}"#;
        let u = unit(json, true);
        assert_eq!(
            get(&u, "B", "AccessControl"),
            Some(&Value::str("PublicRead"))
        );
        assert_eq!(get(&u, "B", "Name"), Some(&Value::str("a-PublicRead")));
        assert_eq!(get(&u, "B", "Pick"), Some(&Value::str("y")));
        assert_eq!(
            u.resources["B"]
                .location_of(&SettingPath::parse("AccessControl"))
                .line,
            2
        );
    }

    #[test]
    fn detection() {
        let yes = parse_yaml("Resources:\n  X:\n    Type: AWS::SNS::Topic\n");
        assert!(is_template(&yes.docs[0]));
        let no = parse_yaml("Resources:\n  X:\n    Type: Custom\n");
        assert!(!is_template(&no.docs[0]));
    }
}
