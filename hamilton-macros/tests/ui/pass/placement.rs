//! Nodes in a private module, inside a function body, behind `#[cfg]`, deprecated, or `const`.
#![deny(warnings, missing_docs, unreachable_pub)]

use hamilton_core::{node, nodes};

mod features {
    use hamilton_core::node;

    /// Public in a private module.
    #[node]
    pub(crate) fn visible(base: &f64) -> f64 {
        base + 1.0
    }

    #[node]
    fn private_to_module() -> f64 {
        0.0
    }

    pub(crate) fn list() -> hamilton_core::Module {
        hamilton_core::nodes![private_to_module]
    }

    pub(crate) mod nested {
        use hamilton_core::node;

        /// `pub` in a private module: the hidden struct gets no `unreachable_pub` warning of its
        /// own.
        #[allow(unreachable_pub)]
        #[node]
        pub fn deep() -> u8 {
            1
        }
    }
}

#[node]
#[cfg(any())]
fn compiled_out() -> f64 {
    0.0
}

#[node]
#[deprecated = "use something else"]
fn old() -> f64 {
    0.0
}

#[node]
const fn constant() -> u32 {
    3
}

fn main() {
    /// Defined in a function body.
    #[node]
    fn local(x: &f64) -> f64 {
        x * 2.0
    }
    assert_eq!(<local>::DEF.doc, "Defined in a function body.");
    assert_eq!(<local>::DEF.module, module_path!());

    let def = <features::visible>::DEF;
    assert_eq!(def.module, format!("{}::features", module_path!()));
    assert_eq!(def.doc, "Public in a private module.");
    assert_eq!(
        <features::nested::deep>::DEF.module,
        format!("{}::features::nested", module_path!())
    );
    let module = nodes![features::visible, local, old, constant];
    assert_eq!(module.name(), "nodes![features::visible, local, old, constant]");
    assert_eq!(features::list().name(), "nodes![private_to_module]");
    assert_eq!(<constant>::DEF.output.name(), "u32");
}
