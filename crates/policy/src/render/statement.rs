//! The privacy statement a data subject reads (GDPR art. 13/14), in Dutch or
//! English, following the structure of the agency's own statement (seed 001):
//! who we are, our two roles, whose data, which data, why and on which basis,
//! automated decisions, special categories, sources, recipients and
//! transfers, retention, security, rights and complaints, changes.
//!
//! Every fact comes from the policy; the sentences around the facts are
//! fixed here, in plain language (B1). A section with nothing to say says so
//! ("we take no automated decisions") rather than disappearing.

use std::fmt::Write as _;

use super::{
    Language, article, country_text, date_text, legal_basis_article, legal_basis_text, oneline,
    recipient_kind_text, safeguard_text,
};
use crate::{ControllerRole, Policy, Purpose};

/// The privacy statement as Markdown.
pub fn statement(policy: &Policy, lang: Language) -> String {
    let mut w = Writer {
        out: String::new(),
        lang,
        policy,
    };
    // Writing to a String cannot fail.
    let _ = w.write();
    w.out
}

struct Writer<'a> {
    out: String,
    lang: Language,
    policy: &'a Policy,
}

impl<'a> Writer<'a> {
    fn t(&self, nl: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(nl, en)
    }

    /// A policy text pair in this language, on one line.
    fn text(&self, nl: &str, en: &str) -> String {
        oneline(self.lang.pick(nl, en))
    }

    fn purpose_name(&self, p: &Purpose) -> String {
        self.text(&p.name_nl, &p.name_en)
    }

    /// The purposes for which the agency decides itself; the rest of the
    /// statement is about these.
    fn own_purposes(&self) -> impl Iterator<Item = &'a Purpose> + use<'a> {
        self.policy
            .purposes()
            .filter(|p| p.controller_role == ControllerRole::Controller)
    }

    /// `Incasso, Rechtsvorderingen`: the purposes among `purposes` that
    /// satisfy `uses`.
    fn purposes_using(
        &self,
        purposes: impl Iterator<Item = &'a Purpose>,
        uses: impl Fn(&Purpose) -> bool,
    ) -> String {
        purposes
            .filter(|p| uses(p))
            .map(|p| self.purpose_name(p))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn write(&mut self) -> std::fmt::Result {
        self.header()?;
        self.who_we_are()?;
        self.roles()?;
        self.whose_data()?;
        self.which_data()?;
        self.why()?;
        self.automated_decisions()?;
        self.special_categories()?;
        self.sources()?;
        self.recipients()?;
        self.retention()?;
        self.security()?;
        self.rights()?;
        self.changes()
    }

    fn header(&mut self) -> std::fmt::Result {
        let s = self.policy.statement();
        let title = self.text(&s.title_nl, &s.title_en);
        let version = self.t("Versie", "Version");
        let effective = self.t("geldig vanaf", "effective");
        let date = date_text(s.effective_date, self.lang);
        let intro = self.text(&s.introduction_nl, &s.introduction_en);
        writeln!(self.out, "# {title}\n")?;
        writeln!(self.out, "{version} {}, {effective} {date}.\n", s.version)?;
        writeln!(self.out, "{intro}")
    }

    fn who_we_are(&mut self) -> std::fmt::Result {
        let c = self.policy.controller();
        let heading = self.t("Wie wij zijn", "Who we are");
        writeln!(self.out, "\n## {heading}\n")?;
        match self.lang {
            Language::Nl => {
                writeln!(
                    self.out,
                    "{} is gevestigd aan {}, {} {} ({}). Wij staan in het Handelsregister \
                     van de Kamer van Koophandel onder nummer {}.\n",
                    c.name,
                    c.street,
                    c.postcode,
                    c.city,
                    country_text(&c.country, self.lang),
                    c.kvk_number
                )?;
                writeln!(
                    self.out,
                    "Vragen over privacy? Mail naar {}, bel {} of kijk op {}.\n",
                    c.email, c.phone, c.website
                )?;
                writeln!(
                    self.out,
                    "Wij houden een register bij van alle verwerkingen van persoonsgegevens \
                     ({}). Dit register en deze verklaring maken wij uit dezelfde gegevens die \
                     onze systemen gebruiken. Zo staat hier altijd wat wij echt doen.",
                    article("30", self.lang)
                )
            }
            Language::En => {
                writeln!(
                    self.out,
                    "{} is located at {}, {} {} ({}). We are registered with the Chamber of \
                     Commerce (KvK) under number {}.\n",
                    c.name,
                    c.street,
                    c.postcode,
                    c.city,
                    country_text(&c.country, self.lang),
                    c.kvk_number
                )?;
                writeln!(
                    self.out,
                    "Questions about privacy? E-mail {}, call {} or visit {}.\n",
                    c.email, c.phone, c.website
                )?;
                writeln!(
                    self.out,
                    "We keep a register of all processing of personal data ({}). We make that \
                     register and this statement from the same data our systems use. So this \
                     statement always says what we really do.",
                    article("30", self.lang)
                )
            }
        }
    }

    /// R1: processor purposes send the reader to the seller; for the others
    /// the agency is the controller.
    fn roles(&mut self) -> std::fmt::Result {
        let processor: Vec<&Purpose> = self
            .policy
            .purposes()
            .filter(|p| p.controller_role == ControllerRole::Processor)
            .collect();
        let heading = if processor.is_empty() {
            self.t("Onze rol", "Our role")
        } else {
            self.t("Onze twee rollen", "Our two roles")
        };
        writeln!(self.out, "\n## {heading}")?;
        for p in processor {
            let heading = match self.lang {
                Language::Nl => format!("Wij werken in opdracht: {}", self.purpose_name(p)),
                Language::En => format!("We work for a client: {}", self.purpose_name(p)),
            };
            let description = self.text(&p.description_nl, &p.description_en);
            writeln!(self.out, "\n### {heading}\n")?;
            writeln!(self.out, "{description}\n")?;
            if let (Some(nl), Some(en)) = (&p.controller_notice_nl, &p.controller_notice_en) {
                let notice = self.text(nl, en);
                writeln!(self.out, "{notice}")?;
            }
        }
        let heading = self.t(
            "Wij zijn zelf verantwoordelijk",
            "We are responsible ourselves",
        );
        let intro = self.t(
            "Voor de volgende doelen bepalen wij zelf wat er met uw gegevens gebeurt. Wij zijn \
             dan verwerkingsverantwoordelijke. De rest van deze verklaring gaat over deze doelen.",
            "For the following purposes we decide ourselves what happens to your data. We are \
             then the controller. The rest of this statement is about these purposes.",
        );
        writeln!(self.out, "\n### {heading}\n")?;
        writeln!(self.out, "{intro}\n")?;
        let names: Vec<String> = self.own_purposes().map(|p| self.purpose_name(p)).collect();
        for name in names {
            writeln!(self.out, "- {name}")?;
        }
        Ok(())
    }

    fn whose_data(&mut self) -> std::fmt::Result {
        let heading = self.t("Van wie wij gegevens verwerken", "Whose data we process");
        let intro = self.t(
            "Wij verwerken gegevens van deze groepen mensen:",
            "We process data about these groups of people:",
        );
        let for_ = self.t("voor", "for");
        writeln!(self.out, "\n## {heading}\n")?;
        writeln!(self.out, "{intro}\n")?;
        for s in self.policy.subject_categories() {
            let used = self.purposes_using(self.own_purposes(), |p| p.concerns(&s.id));
            if used.is_empty() {
                continue;
            }
            let name = self.text(&s.name_nl, &s.name_en);
            writeln!(self.out, "- {name} ({for_}: {used})")?;
        }
        Ok(())
    }

    /// R7 and the other categories; special categories have their own
    /// section. R41: personal against anonymous data.
    fn which_data(&mut self) -> std::fmt::Result {
        let heading = self.t("Welke gegevens wij verwerken", "Which data we process");
        let for_ = self.t("voor", "for");
        writeln!(self.out, "\n## {heading}\n")?;
        for d in self.policy.data_categories().filter(|d| !d.special) {
            let used = self.purposes_using(self.own_purposes(), |p| p.processes(&d.id));
            if used.is_empty() {
                continue;
            }
            let name = self.text(&d.name_nl, &d.name_en);
            writeln!(self.out, "- {name} ({for_}: {used})")?;
        }
        let s = self.policy.statement();
        let anonymous = self.text(&s.anonymous_data_nl, &s.anonymous_data_en);
        writeln!(self.out, "\n{anonymous}")
    }

    fn why(&mut self) -> std::fmt::Result {
        let heading = self.t(
            "Waarom wij uw gegevens gebruiken, en op welke grondslag",
            "Why we use your data, and on which legal basis",
        );
        writeln!(self.out, "\n## {heading}")?;
        let purposes: Vec<&Purpose> = self.own_purposes().collect();
        for p in purposes {
            let name = self.purpose_name(p);
            let description = self.text(&p.description_nl, &p.description_en);
            writeln!(self.out, "\n### {name}\n")?;
            writeln!(self.out, "{description}\n")?;
            let bases = self.t("Grondslag:", "Legal basis:");
            writeln!(self.out, "{bases}\n")?;
            for b in &p.legal_bases {
                writeln!(
                    self.out,
                    "- {} ({})",
                    legal_basis_text(*b, self.lang),
                    legal_basis_article(*b, self.lang)
                )?;
            }
            if let (Some(nl), Some(en)) = (&p.legitimate_interest_nl, &p.legitimate_interest_en) {
                let label = self.t("Ons gerechtvaardigd belang:", "Our legitimate interest:");
                let interest = self.text(nl, en);
                writeln!(self.out, "\n{label} {interest}")?;
            }
            if p.pseudonymised_only {
                let note = self.t(
                    "Voor dit doel gebruiken wij alleen gepseudonimiseerde gegevens: daarin staan \
                     geen naam, adres of andere gegevens die direct laten zien wie u bent.",
                    "For this purpose we use pseudonymised data only: it holds no name, address \
                     or other data that shows directly who you are.",
                );
                writeln!(self.out, "\n{note}")?;
            }
        }
        Ok(())
    }

    /// R9, R39: that decisions are automated, and the right to human review.
    fn automated_decisions(&mut self) -> std::fmt::Result {
        let heading = self.t("Geautomatiseerde beslissingen", "Automated decisions");
        writeln!(self.out, "\n## {heading}\n")?;
        let automated: Vec<&Purpose> = self
            .own_purposes()
            .filter(|p| p.automated_decisions)
            .collect();
        if automated.is_empty() {
            let none = self.t(
                "Wij nemen geen beslissingen over u die alleen door een computer worden genomen.",
                "We take no decisions about you that are made by a computer alone.",
            );
            return writeln!(self.out, "{none}");
        }
        for p in automated {
            if let (Some(nl), Some(en)) = (
                &p.automated_decisions_description_nl,
                &p.automated_decisions_description_en,
            ) {
                let name = self.purpose_name(p);
                let description = self.text(nl, en);
                writeln!(self.out, "**{name}.** {description}\n")?;
            }
        }
        let c = self.policy.controller();
        let review = match self.lang {
            Language::Nl => format!(
                "U hebt het recht om een medewerker naar zo'n beslissing te laten kijken, uw \
                 standpunt te geven en de beslissing aan te vechten ({}). Mail daarvoor naar {} \
                 of bel {}.",
                article("22", self.lang),
                c.email,
                c.phone
            ),
            Language::En => format!(
                "You have the right to have a member of staff look at such a decision, to give \
                 your point of view and to contest the decision ({}). E-mail {} or call {}.",
                article("22", self.lang),
                c.email,
                c.phone
            ),
        };
        writeln!(self.out, "{review}")
    }

    /// R10: health and criminal-record data, and their art. 9/10 bases.
    fn special_categories(&mut self) -> std::fmt::Result {
        let heading = self.t("Bijzondere persoonsgegevens", "Special categories of data");
        writeln!(self.out, "\n## {heading}\n")?;
        let mut any = false;
        let purposes: Vec<&Purpose> = self.own_purposes().collect();
        for p in purposes {
            let special: Vec<String> = p
                .data_categories
                .iter()
                .filter_map(|id| self.policy.data_category(id))
                .filter(|d| d.special)
                .map(|d| self.text(&d.name_nl, &d.name_en))
                .collect();
            if special.is_empty() {
                continue;
            }
            if !any {
                let intro = self.t(
                    "Sommige gegevens zijn extra gevoelig. Die gebruiken wij alleen als het echt \
                     nodig is:",
                    "Some data is extra sensitive. We use it only where it is really needed:",
                );
                writeln!(self.out, "{intro}\n")?;
                any = true;
            }
            let bases: Vec<String> = p
                .legal_bases
                .iter()
                .filter(|b| b.is_art9() || b.is_art10())
                .map(|b| {
                    format!(
                        "{} ({})",
                        legal_basis_text(*b, self.lang),
                        legal_basis_article(*b, self.lang)
                    )
                })
                .collect();
            let name = self.purpose_name(p);
            let basis = self.t("Grondslag", "Legal basis");
            writeln!(
                self.out,
                "- **{name}**: {}. {basis}: {}.",
                special.join(", "),
                bases.join("; ")
            )?;
        }
        if !any {
            let none = self.t(
                "Wij verwerken geen bijzondere persoonsgegevens, zoals gegevens over uw \
                 gezondheid, en geen strafrechtelijke gegevens.",
                "We process no special categories of data, such as data about your health, and \
                 no criminal-record data.",
            );
            writeln!(self.out, "{none}")?;
        }
        Ok(())
    }

    /// R5, R8, R16: where the data comes from.
    fn sources(&mut self) -> std::fmt::Result {
        let heading = self.t(
            "Waar uw gegevens vandaan komen",
            "Where your data comes from",
        );
        let intro = self.t("Wij krijgen uw gegevens van:", "We receive your data from:");
        let for_ = self.t("voor", "for");
        writeln!(self.out, "\n## {heading}\n")?;
        writeln!(self.out, "{intro}\n")?;
        let mut any = false;
        for s in self.policy.sources() {
            let used = self.purposes_using(self.own_purposes(), |p| p.sources.contains(&s.id));
            if used.is_empty() {
                continue;
            }
            let name = self.text(&s.name_nl, &s.name_en);
            writeln!(self.out, "- {name} ({for_}: {used})")?;
            any = true;
        }
        if !any {
            let c = self.policy.controller();
            let ask = match self.lang {
                Language::Nl => format!(
                    "- de bron staat niet in deze verklaring; vraag ernaar via {}",
                    c.email
                ),
                Language::En => format!(
                    "- the source is not in this statement; ask us at {}",
                    c.email
                ),
            };
            writeln!(self.out, "{ask}")?;
        }
        Ok(())
    }

    /// R23..R25: every recipient, what it is, and transfers outside the EEA.
    fn recipients(&mut self) -> std::fmt::Result {
        let heading = self.t("Met wie wij gegevens delen", "Who we share data with");
        let intro = self.t(
            "Wij geven gegevens alleen aan een ander als dat nodig is voor het doel, of als de \
             wet ons daartoe verplicht. Ook als een ander de gegevens voor ons verwerkt, blijven \
             wij zorgen voor een goede bescherming. Wij kunnen gegevens delen met:",
            "We give data to others only when the purpose needs it, or when the law requires \
             it. When someone else processes the data for us, we still make sure it is well \
             protected. We may share data with:",
        );
        let for_ = self.t("voor", "for");
        let secrecy = self.t(
            "heeft een wettelijke of beroepsplicht tot geheimhouding",
            "has a legal or professional duty of confidentiality",
        );
        writeln!(self.out, "\n## {heading}\n")?;
        writeln!(self.out, "{intro}\n")?;
        let mut outside = Vec::new();
        for r in self.policy.recipients() {
            let used = self.purposes_using(self.policy.purposes(), |p| p.may_disclose_to(&r.id));
            if used.is_empty() {
                continue;
            }
            let name = self.text(&r.name_nl, &r.name_en);
            let mut about = recipient_kind_text(r.kind, self.lang).to_owned();
            if r.confidentiality_duty {
                about.push_str("; ");
                about.push_str(secrecy);
            }
            writeln!(self.out, "- {name}: {about} ({for_}: {used})")?;
            if !r.country.is_inside_eea() {
                outside.push(r);
            }
        }
        let heading = self.t(
            "Doorgifte buiten de Europese Economische Ruimte",
            "Transfers outside the European Economic Area",
        );
        writeln!(self.out, "\n### {heading}\n")?;
        if outside.is_empty() {
            let none = self.t(
                "Wij geven geen persoonsgegevens door naar landen buiten de Europese Economische \
                 Ruimte (EER).",
                "We transfer no personal data to countries outside the European Economic Area \
                 (EEA).",
            );
            return writeln!(self.out, "{none}");
        }
        let intro = self.t(
            "Soms gaan gegevens naar een land buiten de Europese Economische Ruimte (EER). Dat \
             doen wij alleen als er eerst passende waarborgen zijn om uw gegevens te beschermen:",
            "Sometimes data goes to a country outside the European Economic Area (EEA). We only \
             do this once appropriate safeguards protect your data:",
        );
        writeln!(self.out, "{intro}\n")?;
        let (country, safeguard) = (self.t("land", "country"), self.t("waarborg", "safeguard"));
        for r in outside {
            writeln!(
                self.out,
                "- {}: {country} {}; {safeguard}: {}",
                self.text(&r.name_nl, &r.name_en),
                country_text(&r.country, self.lang),
                safeguard_text(r.transfer_safeguard, self.lang)
            )?;
        }
        Ok(())
    }

    /// R17..R22: the retention rule of every purpose.
    fn retention(&mut self) -> std::fmt::Result {
        let heading = self.t(
            "Hoe lang wij uw gegevens bewaren",
            "How long we keep your data",
        );
        let intro = self.t(
            "Wij bewaren gegevens niet langer dan nodig. Daarna wissen wij ze uit onszelf. Hoe \
             lang dat is, hangt af van het doel:",
            "We keep data no longer than needed. After that we erase it without being asked. \
             How long that is depends on the purpose:",
        );
        writeln!(self.out, "\n## {heading}\n")?;
        writeln!(self.out, "{intro}\n")?;
        for p in self.policy.purposes() {
            let Some(rule) = self.policy.retention_rule(&p.retention) else {
                continue;
            };
            writeln!(
                self.out,
                "- **{}**: {}",
                self.purpose_name(p),
                self.text(&rule.description_nl, &rule.description_en)
            )?;
        }
        Ok(())
    }

    /// R26..R30.
    fn security(&mut self) -> std::fmt::Result {
        let heading = self.t("Hoe wij uw gegevens beveiligen", "How we protect your data");
        writeln!(self.out, "\n## {heading}\n")?;
        for m in self.policy.security_measures() {
            writeln!(
                self.out,
                "- {}",
                self.text(&m.description_nl, &m.description_en)
            )?;
        }
        let c = self.policy.controller();
        let note = match self.lang {
            Language::Nl => format!(
                "Geen enkele beveiliging is 100% veilig. Hebt u een vraag over de beveiliging \
                 van uw gegevens? Mail naar {} of bel {}. Zet geen gevoelige informatie in een \
                 gewone e-mail aan ons.",
                c.email, c.phone
            ),
            Language::En => format!(
                "No security is 100% safe. Do you have a question about the security of your \
                 data? E-mail {} or call {}. Please do not put sensitive information in an \
                 ordinary e-mail to us.",
                c.email, c.phone
            ),
        };
        writeln!(self.out, "\n{note}")
    }

    /// R31..R39, and complaints to the supervisory authority (R38).
    fn rights(&mut self) -> std::fmt::Result {
        let c = self.policy.controller();
        let heading = self.t("Uw rechten", "Your rights");
        let intro = match self.lang {
            Language::Nl => format!(
                "U hebt rechten over uw persoonsgegevens. Wilt u een recht gebruiken? Mail naar \
                 {} of bel {}. Voor deze rechten gelden de regels van de AVG.",
                c.email, c.phone
            ),
            Language::En => format!(
                "You have rights over your personal data. Do you want to use a right? E-mail {} \
                 or call {}. The rules of the GDPR apply to these rights.",
                c.email, c.phone
            ),
        };
        writeln!(self.out, "\n## {heading}\n")?;
        writeln!(self.out, "{intro}\n")?;
        for r in self.policy.rights() {
            writeln!(
                self.out,
                "- **{}** ({}): {}",
                self.text(&r.name_nl, &r.name_en),
                article(&r.article, self.lang),
                self.text(&r.description_nl, &r.description_en)
            )?;
        }
        let a = self.policy.supervisory_authority();
        let heading = self.t("Een klacht indienen", "Making a complaint");
        let text = match self.lang {
            Language::Nl => format!(
                "Bent u niet tevreden over hoe wij met uw gegevens omgaan? Laat het ons weten via \
                 {} of {}. U kunt ook een klacht indienen bij de toezichthouder in het land \
                 waar u woont. In Nederland is dat de {}:",
                c.email, c.phone, a.name
            ),
            Language::En => format!(
                "Are you not satisfied with how we handle your data? Let us know at {} or {}. \
                 You can also make a complaint to the supervisory authority in the country where \
                 you live. In the Netherlands that is the {}:",
                c.email, c.phone, a.name
            ),
        };
        writeln!(self.out, "\n### {heading}\n")?;
        writeln!(self.out, "{text}\n")?;
        writeln!(self.out, "{}  ", a.name)?;
        writeln!(self.out, "{}  ", a.postal_address)?;
        writeln!(self.out, "{} {}  ", a.postcode, a.city)?;
        writeln!(self.out, "{}  ", a.phone)?;
        writeln!(self.out, "{}", a.website)
    }

    /// R42.
    fn changes(&mut self) -> std::fmt::Result {
        let s = self.policy.statement();
        let heading = self.t("Wijzigingen", "Changes");
        let changes = self.text(&s.changes_nl, &s.changes_en);
        let date = date_text(s.effective_date, self.lang);
        let version = match self.lang {
            Language::Nl => format!("Dit is versie {}, geldig vanaf {date}.", s.version),
            Language::En => format!("This is version {}, effective {date}.", s.version),
        };
        writeln!(self.out, "\n## {heading}\n")?;
        writeln!(self.out, "{changes}\n")?;
        writeln!(self.out, "{version}")
    }
}
