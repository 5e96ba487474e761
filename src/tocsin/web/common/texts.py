"""The words of the portal that go with the model's names: what happened, the questions, the
advice that stops the harm, the errors and the stages. Marked with ``N_`` for the catalogues and
translated where they are shown (``_(text)`` in the templates)."""

from __future__ import annotations

from tocsin.web.common.i18n import N_

PATHS: dict[str, str] = {
    "phishing": N_("I clicked a link or gave a password, card number or ID"),
    "money": N_("Money was taken from me"),
    "ransom": N_("My files are locked and someone asks for a ransom"),
    "intimate": N_("Someone threatens to publish intimate images of me"),
    "harassment": N_("I am harassed or stalked online"),
    "account": N_("Someone took over one of my accounts"),
    "device": N_("My phone or computer is acting strangely"),
    "service": N_("An organisation's website or service is down or defaced"),
    "vulnerability": N_("I found a security flaw (a vulnerability)"),
    "other": N_("Something else"),
}

QUESTIONS: dict[str, tuple[str, str]] = {  # key → (label, hint)
    "site": (
        N_("The address of the website, link or service"),
        N_("For example the link in the message. You may leave it empty."),
    ),
    "given": (N_("What did you give?"), N_("Tick all that apply.")),
    "amount": (N_("How much money, and in which currency?"), ""),
    "paid_how": (N_("How was the money paid?"), ""),
    "paid_to": (
        N_("Who received it?"),
        N_("An account number, IBAN, wallet address or name, if you have it."),
    ),
    "scope": (N_("What is affected?"), ""),
    "ransom_contact": (N_("The address or contact given in the ransom message"), ""),
    "platform": (N_("Where does it happen?"), N_("The app, website or platform.")),
    "offender": (N_("The account or number of the person doing it, if you know it"), ""),
    "paid": (
        N_("Have you paid or sent anything?"),
        N_("There is no wrong answer: it helps us help you."),
    ),
    "service": (
        N_("Which account or service?"),
        N_("For example your e-mail, a social network or a shop."),
    ),
    "access": (N_("Can you still log in?"), ""),
    "device": (N_("Which device?"), ""),
    "what": (N_("What do you see?"), ""),
    "when": (N_("When did it happen?"), N_("An approximate date is fine.")),
    "narrative": (
        N_("Tell us what happened, in your own words"),
        N_("What happened, in what order, and what you have done since."),
    ),
}

OPTIONS: dict[str, str] = {
    "given:password": N_("A password"),
    "given:card": N_("Card or bank details"),
    "given:identity": N_("An identity document"),
    "given:unsure": N_("Nothing, or I am not sure"),
    "paid_how:transfer": N_("Bank transfer"),
    "paid_how:card": N_("Card payment"),
    "paid_how:crypto": N_("Cryptocurrency"),
    "paid_how:vouchers": N_("Gift cards or vouchers"),
    "paid_how:other": N_("Another way"),
    "scope:one": N_("One device"),
    "scope:several": N_("Several devices"),
    "scope:organisation": N_("An organisation's network"),
    "paid:yes": N_("Yes"),
    "paid:no": N_("No"),
    "access:yes": N_("Yes"),
    "access:no": N_("No"),
    "device:phone": N_("A phone"),
    "device:computer": N_("A computer"),
    "device:tablet": N_("A tablet"),
    "device:other": N_("Another device"),
    "what:down": N_("It does not work"),
    "what:defaced": N_("Its pages were changed (defaced)"),
}

ADVICE: dict[str, tuple[str, ...]] = {
    "phishing": (
        N_("Change the password you gave, first for your e-mail, then everywhere you used it."),
        N_(
            "If you gave card or bank details, call your bank now on the number on your card and ask them to block it."
        ),
        N_("Turn on two-step verification where you can."),
    ),
    "money": (
        N_(
            "Call your bank now, on the number on your card or its website, and ask it to stop or recall the payment."
        ),
        N_(
            "Do not pay anything more, even to get your money back: offers to recover money are often a second scam."
        ),
        N_("Keep the receipts, messages, account numbers and wallet addresses."),
    ),
    "ransom": (
        N_(
            "Disconnect the affected devices from the network (cable and Wi-Fi), but do not switch them off."
        ),
        N_("Do not pay the ransom: it does not guarantee that you get your files back."),
        N_(
            "Keep the ransom message, and do not connect your backups until the devices are cleaned."
        ),
    ),
    "intimate": (
        N_("This is not your fault, and you are not alone."),
        N_("Do not pay and do not send anything more: paying rarely stops the threats."),
        N_(
            "Stop replying, but keep the messages: take screenshots that show the account and the date, then block and report the account."
        ),
    ),
    "harassment": (
        N_("If you feel in danger, call the emergency number now."),
        N_("Keep the messages: take screenshots that show the account and the date."),
        N_("Block and report the accounts on the platform, and check who can see your location."),
    ),
    "account": (
        N_("Use the service's official recovery page to get back in, and change the password."),
        N_("Change the same password everywhere else you used it, your e-mail first."),
        N_("Warn your contacts: the account may be used to ask them for money."),
    ),
    "device": (
        N_("If it does things on its own, disconnect it from the internet."),
        N_("Do not type passwords or bank details on it until it has been checked."),
        N_(
            "Update it and run its built-in security scan; if it is a work device, tell your IT team now."
        ),
    ),
    "service": (
        N_("Tell the people who run the website or service, and its hosting provider."),
        N_("Note the address, with screenshots, the date and the time."),
        N_("If you run it: keep the logs and do not wipe the server before they are copied."),
    ),
    "vulnerability": (
        N_(
            "Do not test further than you need to show the flaw, and do not open other people's data."
        ),
        N_(
            "Keep the details private until it is fixed: we coordinate the disclosure with the vendor."
        ),
        N_("Note the product, its version and how to reproduce the flaw."),
    ),
    "other": (
        N_("Keep the messages, screenshots and addresses involved."),
        N_("If money or accounts are involved, call your bank and change your passwords."),
    ),
}

REPORTERS: dict[str, str] = {
    "self": N_("Myself"),
    "other": N_("Someone else, on their behalf"),
    "organisation": N_("My organisation"),
}

FLAGS: dict[str, str] = {
    "child": N_("a child (under 18)"),
    "older": N_("an older person"),
    "disability": N_("a person with a disability"),
}

SECTORS: dict[str, str] = {
    "parliament": N_("Parliament"),
    "elections": N_("Elections (an electoral body, a candidate or a party)"),
    "public-administration": N_("Public administration"),
    "health": N_("Health"),
    "energy": N_("Energy"),
    "transport": N_("Transport"),
    "banking": N_("Banking and finance"),
    "drinking-water": N_("Water"),
    "digital-infrastructure": N_("Digital infrastructure"),
    "telecommunications": N_("Telecommunications"),
    "education": N_("Education"),
    "media": N_("Media"),
    "civil-society": N_("Civil society, charity or association"),
    "private": N_("A business"),
    "other": N_("Another sector"),
}

ERRORS: dict[str, str] = {
    "required": N_("Please answer this question."),
    "not_an_option": N_("Please choose one of the options."),
    "too_long": N_("This answer is too long. Please shorten it."),
    "bad_date": N_("Please give a date like 2026-03-31."),
    "bad_email": N_("This does not look like an e-mail address."),
    "bad_phone": N_("This does not look like a phone number."),
    "need_contact": N_(
        "Give an e-mail address or a phone number, or choose to report anonymously."
    ),
    "too_many": N_("You can send at most 5 files."),
    "too_large": N_("A file is too large: at most 10 MB each, 20 MB in all."),
    "type": N_(
        "A file is of a type we do not take. Send pictures (PNG, JPEG, GIF), PDF, text or e-mail files."
    ),
    "empty": N_("A file is empty."),
    "no_match": N_(
        "No report matches this reference and code. Check them on your acknowledgement and try again."
    ),
    "honeypot": N_('Please leave the field marked "leave this empty" empty.'),
    "too_fast": N_("This was sent very quickly. Please check your answers, then send again."),
    "nothing_added": N_("Write what you want to add, or choose a file."),
    "already_added": N_("This was already added to your report."),
}

STAGES: dict[str, tuple[str, str]] = {  # stage → (name, what it means)
    "received": (
        N_("Received"),
        N_("Your report has arrived and is waiting to be read by our team."),
    ),
    "read": (N_("Read"), N_("A member of our team has read your report.")),
    "working": (N_("Being worked on"), N_("Our team is acting on your report.")),
    "waiting": (
        N_("Waiting for others"),
        N_("We are waiting for information from others, for example a bank or a platform."),
    ),
    "done": (N_("Dealt with"), N_("We have done what we can on your report.")),
    "closed": (N_("Closed"), N_("The work on your report has ended.")),
}
