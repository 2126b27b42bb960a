//! Which wasm bundle of the app owns a path.
//!
//! The app is built as a few bundles so that a phone on a slow network
//! downloads only the part it lands on: browsing, the shopper's orders and
//! account, visits, and the organisers' workspace. The server uses this to
//! answer a deep link with the right bundle's page, and each bundle uses it
//! to load another bundle in full when a link leaves its own routes.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Villages, households, products, and anything unknown (404).
    Shop,
    /// Cart and checkout, orders, login, joining, the member's account, and
    /// a label's trace page (opened from what was received, to report a
    /// problem; kept out of the browsing bundle's first load).
    Account,
    /// Booking a visit, and My trips.
    Visit,
    /// The organisers' workspace: their home, login, visits, change log.
    Organise,
    /// The workspace's product pages (with the shop's page as preview).
    OrganiseProducts,
    /// The workspace's rounds, supplies and packing, the printed labels, and
    /// the problems reported by label.
    OrganiseRounds,
    /// The village's own administration: households, the village page and
    /// its distribution points.
    OrganiseVillage,
}

impl Bundle {
    pub const ALL: [Bundle; 7] = [
        Bundle::Shop,
        Bundle::Account,
        Bundle::Visit,
        Bundle::Organise,
        Bundle::OrganiseProducts,
        Bundle::OrganiseRounds,
        Bundle::OrganiseVillage,
    ];

    /// The app's route patterns in this bundle, as its route table in
    /// `src/lib.rs` lists them (a test there checks): `/`-separated
    /// segments, `:name` standing for any one segment.
    pub fn routes(self) -> &'static [&'static str] {
        match self {
            Bundle::Shop => &["/", "/v/:slug", "/v/:slug/h/:id", "/p/:id"],
            Bundle::Account => &[
                "/cart",
                "/orders",
                "/orders/:id",
                "/login",
                "/join",
                "/me",
                "/label/:code",
            ],
            Bundle::Visit => &["/v/:slug/visit", "/trips", "/trips/:id"],
            Bundle::Organise => &[
                "/organise",
                "/organise/login",
                "/organise/v/:slug",
                "/organise/v/:slug/visits",
                "/organise/v/:slug/visits/offer",
                "/organise/v/:slug/log",
                "/organise/v/:slug/members",
                "/organise/v/:slug/organisers",
                "/organise/password",
                "/organise/join",
            ],
            Bundle::OrganiseProducts => &[
                "/organise/v/:slug/products",
                "/organise/v/:slug/products/new",
                "/organise/v/:slug/products/:id",
            ],
            Bundle::OrganiseRounds => &[
                "/organise/v/:slug/rounds",
                "/organise/rounds/:id",
                "/organise/rounds/:id/packing",
                "/organise/rounds/:id/pickup",
                "/organise/rounds/:id/settlement",
                "/organise/rounds/:id/labels",
                "/organise/v/:slug/problems",
            ],
            Bundle::OrganiseVillage => &[
                "/organise/v/:slug/households",
                "/organise/v/:slug/households/new",
                "/organise/v/:slug/households/:id",
                "/organise/v/:slug/village",
                "/organise/v/:slug/income",
                "/organise/v/:slug/share",
            ],
        }
    }

    /// The bundle that serves a page path (no query string): the one with a
    /// route of its shape. An unknown path gets its 404 page from the
    /// workspace under `/organise`, from the shop anywhere else.
    pub fn for_path(path: &str) -> Bundle {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let fits = |route: &&str| {
            let pattern: Vec<&str> = route.split('/').filter(|s| !s.is_empty()).collect();
            pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p.starts_with(':') || p == s)
        };
        match Bundle::ALL
            .into_iter()
            .find(|b| b.routes().iter().any(fits))
        {
            Some(bundle) => bundle,
            None if segments.first() == Some(&"organise") => Bundle::Organise,
            None => Bundle::Shop,
        }
    }

    /// The HTML page trunk builds the bundle from (in the repository root).
    pub fn page(self) -> &'static str {
        match self {
            Bundle::Shop => "index.html",
            Bundle::Account => "account.html",
            Bundle::Visit => "visit.html",
            Bundle::Organise => "organise.html",
            Bundle::OrganiseProducts => "organise-products.html",
            Bundle::OrganiseRounds => "organise-rounds.html",
            Bundle::OrganiseVillage => "organise-village.html",
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
            Bundle::OrganiseVillage => "organise/app/village",
        }
    }

    /// The URL its files are served under: `/`, or `/` + [`Bundle::dir`] + `/`.
    pub fn public_url(self) -> String {
        match self.dir() {
            "" => "/".to_string(),
            dir => format!("/{dir}/"),
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
            ("/label/K7QX3MPD", Account),
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
            ("/organise/v/liu/visits/offer", Organise),
            ("/organise/v/liu/log", Organise),
            ("/organise/v/liu/products", OrganiseProducts),
            ("/organise/v/liu/products/new", OrganiseProducts),
            ("/organise/v/liu/products/12", OrganiseProducts),
            ("/organise/v/liu/rounds", OrganiseRounds),
            ("/organise/rounds/3", OrganiseRounds),
            ("/organise/rounds/3/packing", OrganiseRounds),
            ("/organise/rounds/3/pickup", OrganiseRounds),
            ("/organise/rounds/3/settlement", OrganiseRounds),
            ("/organise/v/liu/households", OrganiseVillage),
            ("/organise/v/liu/households/new", OrganiseVillage),
            ("/organise/v/liu/households/7", OrganiseVillage),
            ("/organise/v/liu/village", OrganiseVillage),
            ("/organise/v/liu/income", OrganiseVillage),
            ("/organise/v/liu/share", OrganiseVillage),
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

    /// A path of the route's shape: each `:name` filled in.
    fn sample(route: &str) -> String {
        route
            .split('/')
            .map(|s| if s.starts_with(':') { "x7" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn every_route_is_its_own_bundles_with_or_without_a_trailing_slash() {
        for bundle in Bundle::ALL {
            for route in bundle.routes() {
                let path = sample(route);
                assert_eq!(Bundle::for_path(&path), bundle, "{path}");
                assert_eq!(Bundle::for_path(&format!("{path}/")), bundle, "{path}/");
            }
        }
    }

    #[test]
    fn unknown_paths_under_organise_stay_in_the_workspace() {
        for path in [
            "/organise/nowhere",
            "/organise/rounds",
            "/organise/v/liu/x/y",
        ] {
            assert_eq!(Bundle::for_path(path), Organise, "{path}");
        }
    }

    /// The lines of `file` from after `start` to before `end`, each cut
    /// into its words by `words`; blank lines left out.
    fn listed<'a>(
        file: &'a str,
        start: &str,
        end: &str,
        words: fn(&str) -> Vec<&str>,
    ) -> Vec<Vec<&'a str>> {
        let (_, rest) = file.split_once(start).expect(start);
        let (list, _) = rest.split_once(end).expect(end);
        list.lines().map(words).filter(|w| !w.is_empty()).collect()
    }

    /// The `'`-quoted strings of a line, in order.
    fn quoted(line: &str) -> Vec<&str> {
        line.split('\'').skip(1).step_by(2).collect()
    }

    #[test]
    fn the_service_worker_knows_the_shop_bundles_routes() {
        // public/sw.js picks the cached page of a navigation offline.
        let sw = include_str!("../../public/sw.js");
        let shop: Vec<Vec<String>> = Bundle::ALL
            .into_iter()
            .filter(|b| !b.dir().starts_with("organise"))
            .map(|b| {
                let page = format!("{}index.html", b.public_url());
                [page]
                    .into_iter()
                    .chain(b.routes().iter().map(|r| r.to_string()))
                    .collect()
            })
            .collect();
        assert_eq!(listed(sw, "const BUNDLE_ROUTES = {", "};", quoted), shop);
    }

    #[test]
    fn the_service_worker_keeps_the_pickup_page_of_the_rounds_bundle() {
        // The one workspace page that must reload with no signal.
        let sw = include_str!("../../public/sw.js");
        let kept = listed(sw, "const OFFLINE_WORKSPACE = {", "};", quoted);
        let page = format!("{}index.html", OrganiseRounds.public_url());
        assert_eq!(kept, [vec![page.as_str(), "/organise/rounds/:id/pickup"]]);
        assert!(OrganiseRounds.routes().contains(&kept[0][1]));
        // Its entry page registers the worker; the rest of the workspace's do not.
        let script = include_str!("../../scripts/build.sh");
        assert!(script.contains("if [[ $url == /organise/app/rounds/ ]]; then"));
    }

    #[test]
    fn the_build_makes_every_bundle_from_its_page_into_its_directory() {
        let script = include_str!("../../scripts/build.sh");
        let built: Vec<(String, &str)> =
            listed(script, "bundles='", "'", |l| l.split_whitespace().collect())
                .into_iter()
                .map(|words| (words[0].to_string(), words[1]))
                .collect();
        let wanted: Vec<(String, &str)> = Bundle::ALL
            .into_iter()
            .map(|b| (b.public_url(), b.page()))
            .collect();
        assert_eq!(built, wanted);
        assert_eq!(Shop.public_url(), "/");
        assert_eq!(Account.public_url(), "/app/account/");
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
