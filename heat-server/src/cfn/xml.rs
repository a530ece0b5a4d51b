//! Responses as the AWS Query protocol shapes them and botocore reads them:
//! `<{Action}Response>` around `<{Action}Result>` and
//! `<ResponseMetadata><RequestId>`, with neither an XML declaration nor a
//! namespace, as Heat writes them (os-collect-config's `cfn` collector
//! reads them with lxml, which refuses a declared encoding in text and
//! finds no element under a default namespace); lists as `<member>` elements; absent
//! values left out (never the text `None`); booleans `true`/`false`; times
//! ISO 8601. Text is escaped by quick-xml.

use quick_xml::escape::escape;

/// An XML document being written.
#[derive(Debug, Default)]
pub struct Xml {
    out: String,
}

impl Xml {
    /// An empty document.
    pub fn new() -> Self {
        Xml::default()
    }

    /// Opens `<tag>`.
    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// Closes `</tag>`.
    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// `<tag>text</tag>`.
    pub fn leaf(&mut self, tag: &str, text: impl AsRef<str>) -> &mut Self {
        self.open(tag);
        self.out.push_str(&escape(text.as_ref()));
        self.close(tag)
    }

    /// `<tag>text</tag>` when there is a text, nothing otherwise.
    pub fn opt(&mut self, tag: &str, text: Option<impl AsRef<str>>) -> &mut Self {
        if let Some(t) = text {
            self.leaf(tag, t);
        }
        self
    }

    /// `<tag>true</tag>` or `false`.
    pub fn boolean(&mut self, tag: &str, value: bool) -> &mut Self {
        self.leaf(tag, if value { "true" } else { "false" })
    }

    /// `<tag><member>…</member>…</tag>`, each member written by `each`.
    pub fn list<T>(
        &mut self,
        tag: &str,
        items: impl IntoIterator<Item = T>,
        mut each: impl FnMut(&mut Xml, T),
    ) -> &mut Self {
        self.open(tag);
        for item in items {
            self.open("member");
            each(self, item);
            self.close("member");
        }
        self.close(tag)
    }

    /// `<tag><member>text</member>…</tag>`.
    pub fn strings<S: AsRef<str>>(
        &mut self,
        tag: &str,
        items: impl IntoIterator<Item = S>,
    ) -> &mut Self {
        self.list(tag, items, |x, s| {
            x.out.push_str(&escape(s.as_ref()));
        })
    }

    /// Appends XML written elsewhere, as it is.
    pub fn raw(&mut self, xml: &str) -> &mut Self {
        self.out.push_str(xml);
        self
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A whole response: `<{action}Response><{action}Result>…` (empty
/// when `result` is `None`: botocore looks for it whenever the operation
/// has an output shape) and the request id.
pub fn response(action: &str, request_id: &str, result: Option<impl FnOnce(&mut Xml)>) -> String {
    let mut x = Xml::new();
    x.out.push_str(&format!("<{action}Response>"));
    let tag = format!("{action}Result");
    x.open(&tag);
    if let Some(write) = result {
        write(&mut x);
    }
    x.close(&tag);
    x.open("ResponseMetadata")
        .leaf("RequestId", request_id)
        .close("ResponseMetadata");
    x.close(&format!("{action}Response"));
    x.finish()
}

/// AWS's error document.
pub fn error(sender: bool, code: &str, message: &str, request_id: &str) -> String {
    let mut x = Xml::new();
    x.out.push_str("<ErrorResponse>");
    x.open("Error")
        .leaf("Type", if sender { "Sender" } else { "Receiver" })
        .leaf("Code", code)
        .leaf("Message", message)
        .close("Error")
        .leaf("RequestId", request_id)
        .close("ErrorResponse");
    x.finish()
}

/// A Query API document as JSON, for clients that ask `ContentType=JSON`
/// (boto 2's CloudFormation client, as cfn-init uses it): elements with
/// children become objects, `member` lists arrays, text strings, empty
/// elements `null`.
pub fn to_json(document: &str) -> serde_json::Value {
    fn node(n: roxmltree::Node<'_, '_>) -> serde_json::Value {
        let children: Vec<_> = n.children().filter(|c| c.is_element()).collect();
        if children.is_empty() {
            return n
                .text()
                .map(|t| serde_json::Value::String(t.to_string()))
                .unwrap_or(serde_json::Value::Null);
        }
        if children.iter().all(|c| c.has_tag_name("member")) {
            return serde_json::Value::Array(children.into_iter().map(node).collect());
        }
        serde_json::Value::Object(
            children
                .into_iter()
                .map(|c| (c.tag_name().name().to_string(), node(c)))
                .collect(),
        )
    }
    match roxmltree::Document::parse(document) {
        Ok(doc) => {
            let root = doc.root_element();
            serde_json::json!({ root.tag_name().name(): node(root) })
        }
        Err(_) => serde_json::Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_absent_values_left_out() {
        let mut x = Xml::new();
        x.leaf("A", "a<b&\"c\"")
            .opt("B", None::<&str>)
            .boolean("C", false)
            .strings("D", ["x", "y"]);
        assert_eq!(
            x.finish(),
            "<A>a&lt;b&amp;&quot;c&quot;</A><C>false</C><D><member>x</member><member>y</member></D>"
        );
    }

    #[test]
    fn documents_read_as_json() {
        let doc = response(
            "DescribeStacks",
            "req-1",
            Some(|x: &mut Xml| {
                x.list("Stacks", [1, 2], |x, i| {
                    x.leaf("StackName", format!("s{i}"));
                });
            }),
        );
        assert_eq!(
            to_json(&doc),
            serde_json::json!({"DescribeStacksResponse": {
                "DescribeStacksResult": {"Stacks": [{"StackName": "s1"}, {"StackName": "s2"}]},
                "ResponseMetadata": {"RequestId": "req-1"},
            }})
        );
    }

    #[test]
    fn a_response_carries_its_request_id() {
        let doc = response("DeleteStack", "req-1", None::<fn(&mut Xml)>);
        // As Heat's: no declaration, no namespace.
        assert!(
            doc.starts_with("<DeleteStackResponse><DeleteStackResult>"),
            "{doc}"
        );
        assert!(doc.ends_with("<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DeleteStackResponse>"));
        assert!(doc.contains("<DeleteStackResult></DeleteStackResult>"));
    }
}
