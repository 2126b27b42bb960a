//! Which wasm bundle of the app owns a path.
//!
//! The app is built as a few bundles so that a phone on a slow network
//! downloads only the part it lands on: browsing, the shopper's orders and
//! account, visits, and the organisers' workspace. The server uses this to
//! answer a deep link with the right bundle's page, and each bundle uses it
//! to load another bundle in full when a link leaves its own routes.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Villages, households, products, labels, and anything unknown (404).
    Shop,
    /// Cart and checkout, orders, login, joining, the member's account.
    Account,
    /// Booking a visit, and My trips.
    Visit,
    /// The organisers' workspace: their home, login, visits, change log.
    Organise,
    /// The workspace's product pages (with the shop's page as preview).
    OrganiseProducts,
    /// The workspace's rounds, supplies and packing.
    OrganiseRounds,
}

impl Bundle {
    pub const ALL: [Bundle; 6] = [
        Bundle::Shop,
        Bundle::Account,
        Bundle::Visit,
        Bundle::Organise,
        Bundle::OrganiseProducts,
        Bundle::OrganiseRounds,
    ];

    /// The bundle that serves a page path (no query string).
    pub fn for_path(path: &str) -> Bundle {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            ["organise", "v", _, "products", ..] => Bundle::OrganiseProducts,
            ["organise", "v", _, "rounds"] | ["organise", "rounds", ..] => Bundle::OrganiseRounds,
            ["organise", ..] => Bundle::Organise,
            ["cart"] | ["orders"] | ["orders", _] | ["login"] | ["join"] | ["me"] => {
                Bundle::Account
            }
            ["v", _, "visit"] | ["trips"] | ["trips", _] => Bundle::Visit,
            _ => Bundle::Shop,
        }
    }

    /// Where the bundle's build lives under `dist/`, and under which URL
    /// prefix its files are served; empty for the shop at the root.
    pub fn dir(self) -> &'static str {
        match self {
            Bundle::Shop => "",
            Bundle::Account => "app/account",
            Bundle::Visit => "app/visit",
            Bundle::Organise => "organise",
            // Under /organise/, which the shop's service worker leaves alone.
            Bundle::OrganiseProducts => "organise/app/products",
            Bundle::OrganiseRounds => "organise/app/rounds",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Bundle::{self, *};

    #[test]
    fn paths_go_to_their_bundle() {
        let cases: &[(&str, Bundle)] = &[
            ("/", Shop),
            ("/v/liu", Shop),
            ("/v/liu/h/3", Shop),
            ("/p/12", Shop),
            ("/label/K7QX3MPD", Shop),
            ("/no/such/page", Shop),
            ("/cart", Account),
            ("/orders", Account),
            ("/orders/0b6c2f3e-uuid", Account),
            ("/login", Account),
            ("/join", Account),
            ("/me", Account),
            ("/v/liu/visit", Visit),
            ("/trips", Visit),
            ("/trips/abc", Visit),
            ("/organise", Organise),
            ("/organise/login", Organise),
            ("/organise/v/liu", Organise),
            ("/organise/v/liu/visits", Organise),
            ("/organise/v/liu/log", Organise),
            ("/organise/v/liu/products", OrganiseProducts),
            ("/organise/v/liu/products/new", OrganiseProducts),
            ("/organise/v/liu/products/12", OrganiseProducts),
            ("/organise/v/liu/rounds", OrganiseRounds),
            ("/organise/rounds/3", OrganiseRounds),
            ("/organise/rounds/3/packing", OrganiseRounds),
            // Trailing slashes do not change the page.
            ("/cart/", Account),
            ("/trips/", Visit),
        ];
        for (path, bundle) in cases {
            assert_eq!(Bundle::for_path(path), *bundle, "{path}");
        }
    }

    #[test]
    fn near_misses_stay_in_the_shop() {
        for path in [
            "/organiser",
            "/carts",
            "/orders/a/b",
            "/v/liu/visits",
            "/v/visit",
            "/tripsx",
            "/me/x",
        ] {
            assert_eq!(Bundle::for_path(path), Shop, "{path}");
        }
    }

    #[test]
    fn each_bundle_has_its_own_directory() {
        let dirs: Vec<&str> = Bundle::ALL.iter().map(|b| b.dir()).collect();
        for (i, d) in dirs.iter().enumerate() {
            assert!(!dirs[i + 1..].contains(d), "{d} twice");
        }
        assert_eq!(Shop.dir(), "");
    }
}
