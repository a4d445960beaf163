# Builds bench/data/utterances.jsonl from hand-written utterances. Markup: {ENTITY|value} marks PII,
# <<value>> marks text that must survive. Spoken digit helpers only spell out digits.
import json, re, sys
EN = 'zero one two three four five six seven eight nine'.split()
ES = 'cero uno dos tres cuatro cinco seis siete ocho nueve'.split()
FR = 'zéro un deux trois quatre cinq six sept huit neuf'.split()
def sp(d, words=EN, sep=' '):
    return sep.join(words[int(c)] if c.isdigit() else c for c in d if c != ' ')
def luhn(s):
    s=[int(c) for c in s if c.isdigit()]; t=0
    for i,d in enumerate(reversed(s)):
        if i%2: d*=2; d = d-9 if d>9 else d
        t+=d
    return t%10==0
def aba(s):
    d=[int(c) for c in s]; return (3*(d[0]+d[3]+d[6])+7*(d[1]+d[4]+d[7])+d[2]+d[5]+d[8])%10==0
for c in ['4111111111111111','5555555555554444','378282246310005','6011111111111117','4012888888881881','5105105105105100','4242424242424242','2223003122003222','4000056655665556','371449635398431','6011000990139424','5200828282828210']:
    assert luhn(c), c
for c in ['4111111111111112','4242424242424241','5555555555554443']: assert not luhn(c), c
for r in ['021000021','011000015','121000358','026009593','322271627','031176110']: assert aba(r), r

L = []
def add(locale, s): L.append((locale, s))
en = lambda s: add('en-US', s)
es = lambda s: add('es-US', s)
fr = lambda s: add('fr-CA', s)

# ---- cards, written
en("yeah the card number is {CARD|4111 1111 1111 1111} and that's a visa")
en("it's {CARD|5555-5555-5555-4444}")
en("my amex is {CARD|3782 822463 10005} okay")
en("card {CARD|6011111111111117} please charge <<$45.99>>")
en("ok so {CARD|4012 8888 8888 1881} and the total was <<$1,200>>")
en("let me read it {CARD|5105 1051 0510 5100}")
en("number's {CARD|4242 4242 4242 4242}, <<two items>> on the order")
en("the new card is {CARD|2223 0031 2200 3222}")
en("I'm reading {CARD|4000 0566 5566 5556} off the front")
en("charge {CARD|371449635398431} for the <<3 tickets>>")
en("uh it's {CARD|6011 0009 9013 9424} I think")
en("{CARD|5200 8282 8282 8210} is the debit card")
# cards, spoken and mixed
en("the card number is {CARD|" + sp('4111111111111111') + "}")
en("it's {CARD|four one one one, one one one one, one one one one, one one one one}")
en("so that's {CARD|4 one 1 1 1111 one one 1 1 1111}")
en("ok {CARD|five five five five uh five five five five, five five five five, four four four four}")
en("my card is {CARD|four two four two, four two four two, four two four two, four two four two} alright")
en("the number {CARD|six oh one one, one one one one, one one one one, one one one seven}")
en("{CARD|forty one eleven eleven eleven eleven eleven eleven eleven} that's the card")
en("yes the visa is {CARD|four oh one two, double eight double eight, double eight double eight, one eight eight one}")
en("card is {CARD|five one oh five, one oh five one, oh five one oh, five one oh oh}")
en("{CARD|3 7 8 2 8 2 2 4 6 3 1 0 0 0 5} is my american express")
en("the digits are {CARD|four two for two, four two four two, four two four two, four two four two}")
en("okay {CARD|four one one one dash one one one one dash one one one one dash one one one one}")
es("el número de la tarjeta es {CARD|" + sp('4111111111111111', ES) + "}")
es("mi tarjeta es {CARD|cinco cinco cinco cinco, cinco cinco cinco cinco, cinco cinco cinco cinco, cuatro cuatro cuatro cuatro}")
es("es la {CARD|4242 4242 4242 4242} por favor")
es("tarjeta {CARD|seis cero uno uno uno uno uno uno uno uno uno uno uno uno uno siete}")
fr("le numéro de carte est {CARD|" + sp('4111111111111111', FR) + "}")
fr("ma carte c'est {CARD|cinq cinq cinq cinq cinq cinq cinq cinq cinq cinq cinq cinq quatre quatre quatre quatre}")
fr("c'est la {CARD|4012 8888 8888 1881} merci")
fr("carte {CARD|quatre deux quatre deux quatre deux quatre deux quatre deux quatre deux quatre deux quatre deux}")
# Luhn-invalid: kept
en("the reference on the letter is <<4111 1111 1111 1112>> if that helps")
en("I have the number <<4242 4242 4242 4241>> but it was declined")
en("that code <<5555 5555 5555 4443>> didn't work")
# ---- CVV
en("and the security code is {CVV|123}")
en("the cvv is {CVV|four five six}")
en("cvc {CVV|7 8 9} okay")
en("the three digits on the back are {CVV|seven three seven}")
en("security code {CVV|1234} for the amex")
en("it's {CARD|4111 1111 1111 1111} and the security code {CVV|three two one}")
es("el código de seguridad es {CVV|tres dos uno}")
es("código de seguridad {CVV|456}")
fr("le code de sécurité est {CVV|sept huit neuf}")
fr("cryptogramme {CVV|321}")
# ---- EXPIRY
en("it expires {EXPIRY|04/27}")
en("expiration date is {EXPIRY|oh four twenty seven}")
en("the expiry is {EXPIRY|April 2027}")
en("exp {EXPIRY|09/28} and cvv {CVV|552}")
en("valid thru {EXPIRY|12 26}")
en("expires {EXPIRY|march twenty twenty eight}")
en("the card expires {EXPIRY|0 5 2 9}")
en("expiration {EXPIRY|11/2026}, security code {CVV|908}")
es("vence {EXPIRY|04/27}")
es("la fecha de vencimiento es {EXPIRY|abril 2027}")
fr("la carte expire {EXPIRY|avril 2027}")
fr("date d'expiration {EXPIRY|zéro quatre deux sept}")
# ---- SSN
en("my social is {SSN|123-45-6789}")
en("social security number {SSN|987 65 4321}")
en("SSN {SSN|one two three four five six seven eight nine}")
en("the last four of your social please? {SSN|6789}")
en("last four of my social are {SSN|four three two one}")
en("it's {SSN|078-05-1120} on the form")
en("my ssn is {SSN|two one nine, oh nine, nine nine nine nine}")
es("mi número de seguro social es {SSN|123-45-6789}")
es("seguro social {SSN|uno dos tres cuatro cinco seis siete ocho nueve}")
fr("mon numéro d'assurance sociale est {SSN|046 454 286}")
# ---- PHONE
en("call me at {PHONE|555-010-1234}")
en("my number is {PHONE|(555) 010-4477}")
en("you can reach me on {PHONE|+1 (555) 010-1234}")
en("the London office is {PHONE|+44 20 7946 0958}")
en("my cell is {PHONE|five five five oh one oh one two three four}")
en("call back at {PHONE|double five five, oh one oh, nine eight seven six}")
en("phone {PHONE|5550109876}")
en("it's {PHONE|1-800-555-0199}")
en("call {PHONE|one eight hundred five five five oh one nine nine}")
en("my mobile {PHONE|555.010.2233}")
en("text me at {PHONE|five five five, zero one zero, three three four four}")
en("the number to reach me is {PHONE|triple five oh one oh four four two two}")
en("the caller came from tel:{PHONE|+15550101234}")
en("phone number {PHONE|555 0142}")
en("you can call {PHONE|plus four four two zero seven nine four six zero nine five eight}")
en("{PHONE|312-555-0187} is my work line")
es("mi teléfono es {PHONE|cinco cinco cinco cero uno cero uno dos tres cuatro}")
es("llame al {PHONE|555-010-7788}")
es("mi celular es {PHONE|+52 55 1234 5678}")
fr("mon téléphone c'est {PHONE|cinq cinq cinq zéro un zéro un deux trois quatre}")
fr("vous pouvez me joindre au {PHONE|514-555-0123}")
fr("mon cellulaire est le {PHONE|+1 438 555 0166}")
# ---- EMAIL
en("my email is {EMAIL|john.smith@gmail.com}")
en("send it to {EMAIL|john dot smith at gmail dot com}")
en("it's {EMAIL|j o h n at example dot org}")
en("email {EMAIL|mary_jones42@example.net} please")
en("you can write to {EMAIL|jane dot doe at example dot co dot uk}")
en("my address is {EMAIL|bob underscore lee at yahoo dot com}")
en("{EMAIL|sales@example.com} is the team inbox")
es("mi correo es {EMAIL|juan punto perez arroba gmail punto com}")
es("correo {EMAIL|maria@ejemplo.mx}")
es("es {EMAIL|l u i s arroba hotmail punto com}")
fr("mon courriel est {EMAIL|marie point tremblay arobase exemple point ca}")
fr("écrivez à {EMAIL|jean@exemple.fr}")
fr("c'est {EMAIL|p i e r r e arobase videotron point ca}")
# ---- BANK / ROUTING / IBAN
en("routing number {ROUTING_NUMBER|021000021}")
en("the routing is {ROUTING_NUMBER|oh two one oh oh oh oh two one}")
en("ABA {ROUTING_NUMBER|011000015} and account number {BANK_ACCOUNT|123456789012}")
en("my checking account is {BANK_ACCOUNT|0001234567}")
en("bank account number {BANK_ACCOUNT|four four five five six six seven seven}")
en("routing {ROUTING_NUMBER|121000358}, account {BANK_ACCOUNT|987654321}")
en("the savings account {BANK_ACCOUNT|55501234}")
es("número de ruta {ROUTING_NUMBER|026009593}")
es("mi cuenta es {BANK_ACCOUNT|12345678901}")
fr("numéro de transit {ROUTING_NUMBER|322271627}")
fr("mon compte {BANK_ACCOUNT|7654321}")
en("my IBAN is {IBAN|GB82 WEST 1234 5698 7654 32}")
en("the iban {IBAN|DE89370400440532013000} for the refund")
fr("l'IBAN est {IBAN|FR14 2004 1010 0505 0001 3M02 606}")
es("el IBAN {IBAN|ES91 2100 0418 4502 0005 1332}")
en("is it <<GB82 WEST 1234 5698 7654 33>> no wait that's wrong")
# ---- DOB
en("date of birth {DOB|03/14/1985}")
en("my date of birth is {DOB|March 14th, 1985}")
en("I was born on the {DOB|fourteenth of March nineteen eighty five}")
en("DOB {DOB|1985-03-14}")
en("birthday is {DOB|July 4 1976}")
en("date of birth {DOB|oh three one four eighty five}")
en("born on {DOB|12/01/90}")
es("mi fecha de nacimiento es {DOB|14 de marzo de 1985}")
es("fecha de nacimiento {DOB|catorce de marzo de mil novecientos ochenta y cinco}")
fr("ma date de naissance est le {DOB|14 mars 1985}")
fr("née le {DOB|quatorze mars mille neuf cent quatre-vingt-cinq}")
# ---- mixed multi-entity
en("ok card {CARD|4111 1111 1111 1111}, expires {EXPIRY|04/27}, security code {CVV|123}, and my phone is {PHONE|555-010-1234}")
en("name on the account, and my date of birth is {DOB|May 2nd 1970}, the email is {EMAIL|sam@example.com}")
en("I'll read it back, {CARD|four two four two four two four two four two four two four two four two}, correct?")
es("tarjeta {CARD|4111 1111 1111 1111}, vence {EXPIRY|04/27}, código de seguridad {CVV|123}")
fr("carte {CARD|5555 5555 5555 4444} expire {EXPIRY|09/28} code de sécurité {CVV|456}")
# ---- Genesys masks kept
en("the card is <<[card number]>> and expires <<[redacted]>>")
en("my phone is <<[phone]>> and email <<[email]>>")
en("sure it's <<[redacted]>>, thanks")
# ---- hard negatives (no PII)
neg = [
 ('en-US', "the total comes to <<$1,200>> today"),
 ('en-US', "that's <<twelve hundred dollars>> for the year"),
 ('en-US', "your appointment is at <<3:30>> tomorrow"),
 ('en-US', "we open at <<three thirty>> on Saturdays"),
 ('en-US', "for billing <<press two>>, for support <<press three>>"),
 ('en-US', "<<press one>> to repeat this menu"),
 ('en-US', "you're on version <<2.5.1>> of the app"),
 ('en-US', "I ordered <<two items>> last week"),
 ('en-US', "order number <<482910>>"),
 ('en-US', "your order <<58213>> shipped yesterday"),
 ('en-US', "the rate went up <<15 percent>>"),
 ('en-US', "it's <<7%>> interest"),
 ('en-US', "the meeting is on <<March 14th>>"),
 ('en-US', "we shipped it on <<04/27>>"),
 ('en-US', "it was delivered <<11/02/2026>>"),
 ('en-US', "I waited <<forty five minutes>> on hold"),
 ('en-US', "I've been a customer for <<twelve years>>"),
 ('en-US', "ticket <<100234>> is still open"),
 ('en-US', "case number <<2024-5567>>"),
 ('en-US', "the flight is <<at 10:45>>"),
 ('en-US', "it costs <<$19.99>> a month"),
 ('en-US', "<<one>> moment please"),
 ('en-US', "I need <<two>> more <<minutes>>"),
 ('en-US', "we have <<3>> kids and <<2>> dogs"),
 ('en-US', "the package weighs <<four pounds>>"),
 ('en-US', "I'm calling <<to>> ask <<for>> a refund"),
 ('en-US', "give me <<a minute>>, <<oh>> here it is"),
 ('en-US', "I'll be there <<from 9 to 5>>"),
 ('en-US', "the room is <<1204>>"),
 ('en-US', "<<in 2019>> we moved"),
 ('en-US', "<<the year 2027>> plan is out"),
 ('en-US', "the card ending in <<1111>> was charged"),
 ('en-US', "the invoice <<INV-20261125>> is attached"),
 ('en-US', "zip code <<90210>>"),
 ('en-US', "about <<fifty>> people called"),
 ('en-US', "<<two or three>> days"),
 ('en-US', "it's <<number one>> on the list"),
 ('en-US', "the promo code <<SAVE20>> expired"),
 ('en-US', "on <<page 12>> of the contract"),
 ('en-US', "it's <<twenty twenty six>> already"),
 ('en-US', "<<extension 4402>> please"),
 ('en-US', "refund of <<$2,450.00>> processed"),
 ('en-US', "you'll get <<500 points>>"),
 ('en-US', "the balance is <<3,482 dollars>>"),
 ('en-US', "I paid <<one hundred and twenty dollars>>"),
 ('en-US', "tracking number <<1Z999AA10123456784>>"),
 ('en-US', "it has <<4 GB>> of memory"),
 ('en-US', "call me <<tomorrow at two>>"),
 ('en-US', "I'll call you back <<in 10 minutes>>"),
 ('en-US', "the score was <<three to one>>"),
 ('en-US', "hello Jane Doe how are you"),
 ('en-US', "thank you goodbye"),
 ('en-US', "i'm fine how about you"),
 ('en-US', "<<at home>> we use the app"),
 ('en-US', "I'm <<at work>> right now"),
 ('en-US', "it's <<.com>> not .org"),
 ('es-US', "el total es <<$1,200>>"),
 ('es-US', "<<marque dos>> para facturación"),
 ('es-US', "su pedido <<48291>> fue enviado"),
 ('es-US', "la cita es a las <<3:30>>"),
 ('es-US', "compré <<dos artículos>>"),
 ('es-US', "es un <<15 por ciento>> de descuento"),
 ('es-US', "esperé <<veinte minutos>>"),
 ('es-US', "<<cinco o seis>> días"),
 ('fr-CA', "le total est de <<1 200 $>>"),
 ('fr-CA', "<<appuyez sur le deux>> pour la facturation"),
 ('fr-CA', "votre commande <<48291>> est partie"),
 ('fr-CA', "le rendez-vous est à <<15:30>>"),
 ('fr-CA', "j'ai acheté <<deux articles>>"),
 ('fr-CA', "un rabais de <<15 pour cent>>"),
 ('fr-CA', "<<un>> instant s'il vous plaît"),
 ('fr-CA', "j'ai attendu <<vingt minutes>>"),
]
for loc, s in neg: add(loc, s)

# ---- more positives in context, varied
for i, (c, w) in enumerate([('4111111111111111', 'visa'), ('5555555555554444', 'mastercard'), ('4012888888881881', 'card')]):
    en(f"the {w} number is {{CARD|{c[:4]} {c[4:8]} {c[8:12]} {c[12:]}}} and I owe <<${i+2}00>>")
en("confirm the card {CARD|4111-1111-1111-1111}, order <<482910>>, <<two items>>")
en("phone {PHONE|555-010-5555}, order number <<77812>>")
en("I'm at {PHONE|555 010 9090} after <<5 pm>>")
en("reach me at {PHONE|(555) 010 3434} any time after <<3:30>>")
en("my wife's cell is {PHONE|555-010-8181} and mine is {PHONE|555-010-8282}")
en("the social is {SSN|123 45 6789} and I'm <<42 years>> old")
en("ok the last four of the social, {SSN|nine eight seven six}")
en("security code is {CVV|double four seven}")
en("the cvv on the back is {CVV|oh one two}")
en("it expires {EXPIRY|oh nine twenty eight}, cvv {CVV|three three three}")
en("good thru {EXPIRY|10/30}")
en("expires {EXPIRY|December 2029}")
en("email me at {EMAIL|k dot nguyen at outlook dot com}")
en("my email {EMAIL|tom-baker@example.org} and my order was <<$35>>")
en("account number {BANK_ACCOUNT|000123456789} and routing number {ROUTING_NUMBER|031176110}")
en("born on {DOB|January 5, 1992}, and I'm calling about order <<58213>>")
en("date of birth the {DOB|2nd of February 1988}")
en("card {CARD|4000 0566 5566 5556} <<one moment>>")
en("so it's {CARD|5 5 5 5 5 5 5 5 5 5 5 5 4 4 4 4}")
en("visa {CARD|four one one one one one one one, um, one one one one one one one one}")
en("{PHONE|555-010-6060} is my number, and it's <<$40>> a month")
es("mi correo es {EMAIL|ana.lopez@ejemplo.com} y mi teléfono {PHONE|555-010-4321}")
es("la tarjeta {CARD|cuatro dos cuatro dos cuatro dos cuatro dos cuatro dos cuatro dos cuatro dos cuatro dos}, vence {EXPIRY|cero cuatro veintisiete}")
es("mi cuenta {BANK_ACCOUNT|98765432}")
es("nací el {DOB|3 de mayo de 1979}")
es("el código de seguridad {CVV|siete siete siete}")
es("llámeme al {PHONE|cinco cinco cinco, cero uno cero, cuatro cuatro cinco cinco}")
es("pagué <<cincuenta dólares>> por <<dos artículos>>")
fr("ma carte {CARD|quatre un un un un un un un un un un un un un un un}, expire {EXPIRY|zéro quatre vingt-sept}")
fr("mon courriel {EMAIL|luc.gagnon@exemple.ca} et mon téléphone {PHONE|418-555-0199}")
fr("date de naissance {DOB|3 mai 1979}")
fr("le code de sécurité {CVV|un deux trois}")
fr("appelez-moi au {PHONE|cinq un quatre cinq cinq cinq zéro un deux trois}")
fr("j'ai payé <<cinquante dollars>> pour <<deux articles>>")
fr("mon compte bancaire {BANK_ACCOUNT|12345678}")
en("so ssn {SSN|five five five, one two, three four five six}")
en("I said {CARD|3782 822463 10005} not the other one")
en("the phone on file is {PHONE|+1 555 010 7070}")
en("fax {PHONE|555-010-1122}")
en("my dob is {DOB|9/3/1964}")
en("my routing number is {ROUTING_NUMBER|zero two six zero zero nine five nine three}")
en("IBAN {IBAN|DE89 3704 0044 0532 0130 00}")
en("it's {CARD|4242424242424242}, exp {EXPIRY|01/31}, cvc {CVV|999}")
en("my number, {PHONE|five five five, oh one oh, double one two two}")
en("we charged <<$1,500>> on <<04/02>> to the card ending <<4444>>")
en("<<option 4>> for claims")
en("I have <<3 accounts>> with you")
en("please hold for <<2 minutes>>")
en("<<1 800>> numbers are free")
en("my kid is <<seven>> and she's in grade <<two>>")
en("we're <<for>> it, <<to>> be honest")

# ---- spoken forms seen in the emulator's calls: expiry with "oh"/"double"/tens, zero/one
# homophones in French and Spanish, cue-anchored CVV/routing/account, amounts with a trailing sign
en("it expires {EXPIRY|oh double three three}")
en("expiration date is {EXPIRY|oh nine double three}")
en("the card's good thru {EXPIRY|zero nine thirty three}")
en("exp date {EXPIRY|one one, three two}")
en("security code is {CVV|double three oh}")
en("the three digits on the back, {CVV|oh oh seven}")
en("the routing number is {ROUTING_NUMBER|oh two one, double oh oh oh, two one}")
en("checking account number {BANK_ACCOUNT|double four seven, one two three, nine nine oh one}")
en("the promo on the card expires in <<thirty three days>>")
en("oh oh oh, hold on, the bill says <<$120.40>>")
fr("elle expire le {EXPIRY|zéro un trois un}")
fr("la date d'expiration c'est {EXPIRY|un un trois trois}")
fr("expire {EXPIRY|douze trente-trois}")
fr("le code de sécurité est {CVV|un un un}")
fr("le code au dos c'est {CVV|zéro un sept}")
fr("et le numéro de transit est {ROUTING_NUMBER|zéro deux un zéro zéro zéro zéro deux un}")
fr("Je vérifie le compte. Le remboursement de <<508,30 $>> arrivera dans <<10 jours>>.")
fr("on m'a facturé <<930,12 $>> deux fois sur ma dernière facture")
es("vence el {EXPIRY|cero uno tres uno}")
es("la fecha de vencimiento es {EXPIRY|doce treinta y tres}")
es("el código de seguridad es {CVV|uno uno uno}")
es("y el número de ruta es {ROUTING_NUMBER|cero dos uno cero cero cero cero dos uno}")
es("Déjeme revisar la cuenta. El reembolso de <<$45.10>> llegará en <<5 días>>.")

out = []
for loc, s in L:
    pii = []; keep = []
    def rep(m):
        pii.append({'entity': m.group(1), 'value': m.group(2)}); return m.group(2)
    text = re.sub(r'\{([A-Z_]+)\|([^}]*)\}', rep, s)
    def repk(m):
        keep.append(m.group(1)); return m.group(1)
    text = re.sub(r'<<(.*?)>>', repk, text)
    for p in pii: assert p['value'] in text
    out.append(json.dumps({'text': text, 'locale': loc, 'pii': pii, 'keep': keep}, ensure_ascii=False))
open(__import__('os').path.join(__import__('os').path.dirname(__file__), 'utterances.jsonl'), 'w').write('\n'.join(out) + '\n')
print(len(out), 'utterances,', sum(1 for l in out if '"pii": []' in l), 'without PII')
