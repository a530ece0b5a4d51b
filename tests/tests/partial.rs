//! Partial evaluation: what can be known before resources exist is
//! computed; what needs their attributes stays a function.

use heat_core::definition::{AnyType, Inputs, StackDefinition};
use heat_core::function::{partial, Resolver};
use heat_core::template::Template;
use serde_json::json;

#[test]
fn unknown_attributes_stay_functions_and_the_rest_is_computed() {
    let t = Template::parse(
        "heat_template_version: 2021-04-16\nparameters:\n  env: {type: string, default: prod}\nconditions:\n  prod: {equals: [{get_param: env}, prod]}\nresources:\n  db: {type: OS::Heat::None}\n  web:\n    type: OS::Heat::Value\n    properties:\n      name: {list_join: ['-', [{get_param: env}, web]]}\n      url: {list_join: ['', ['http://', {get_attr: [db, address]}, /x]]}\n      mode: {if: [prod, {get_attr: [db, mode]}, fixed]}\n",
    )
    .unwrap();
    let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    assert!(errors.is_empty(), "{errors:?}");
    let def = def.unwrap();
    let web = def.resources.iter().find(|r| r.name == "web").unwrap();
    let p = partial(web.properties.as_ref().unwrap(), &def as &dyn Resolver).unwrap();
    assert_eq!(
        p.to_json(),
        json!({
            "name": "prod-web",
            "url": {"list_join": ["", ["http://", {"get_attr": ["db", "address"]}, "/x"]]},
            "mode": {"get_attr": ["db", "mode"]},
        })
    );
}
