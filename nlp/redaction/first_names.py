"""Common given names (English, Spanish, Portuguese, French, Italian, German, Nordic, Slavic, ...).

spaCy's small model misses many names, especially single given names and names in Spanish
sentences. A given name from this list, capitalised, is taken as a name (with the capitalised
surname after it). `AMBIGUOUS` names are also everyday words ("Will", "Grace", "Angel"): they count
only when a surname follows. Written from general knowledge for this project.
"""

from __future__ import annotations

from nlp.textnorm import fold

_NAMES = """
aaron abby abdul abel abigail abraham ada adam adela adelaide adele adolfo adrian adriana adrien
agata agnes agnieszka agustin ahmed aida aidan aiko ailsa aisha akira alan alba albert alberto
albin alejandra alejandro aleksandr aleksandra alena alessandra alessandro alex alexa alexander
alexandra alexandre alexei alexis alfonso alfred alfredo ali alice alicia alina alison alma
alonso alvaro amalia amanda amelia amelie amir amy ana anabel anastasia anders andrea andreas
andrei andres andrew andrzej andy aneta angela angelica angelika angelo anita anja ann anna
annabel anne anneli annette annika anthony antoine anton antonia antonio anya araceli ariana
ariel arjun armando arnav arne arnold arthur arturo ashley astrid aurelio aurora austin axel
ayesha barbara barry bart beatrice beatriz becky belen ben benedikt benjamin benito bernard
bernardo berta beth bethany betty beverly bianca bjorn blanca bob bobby bogdan boris brad
bradley brandon brenda brett brian bridget britta brittany bruce bruno bryan caitlin caitlyn
camila camille candice carla carlos carmen carol carolina caroline carolyn cassandra catalina
catherine cathy cecilia celia cesar chad charles charlie charlotte chen cheryl chiara chloe
chris christian christina christine christoph christophe christopher cindy claire clara
clarence claudia claudio colin connor consuelo cormac cristian cristina cynthia dagmar dagny
daisuke dale damian dan dana daniel daniela daniele danielle danny dario darius darren dave
david deborah debra denis denise dennis derek diana diane diego dimitri dmitri dmitry dolores
dominik dominika dominique donald donna doris dorota dorothy douglas duncan dylan eamon eduardo
edgar edith edmund eduard edward edwin eileen einar elena eleanor elias elif elin elisa
elisabeth elise eliza elizabeth ella ellen elliot eloise elsa elvira emil emilia emilie emilio
emily emma emmanuel enrique eric erica erik erika erin ernesto esperanza esteban estefania
estela esther ethan eugene eugenia eva evan evelyn fabian fabio fatima federico felipe felix
fernanda fernando filip filippo fiona florian francesca francesco francine francisco franciska
franco francois frank franz freddie frederick frida friedrich gabriel gabriela gabriele gabrielle
gareth gary gaston gemma genevieve geoffrey george georgia gerald gerardo gerhard gertrude
gilberto gina giorgio giovanni gisela giulia giuseppe gloria gonzalo gordon graham greg gregory
greta gretchen guadalupe guillermo gunnar gustavo gwen hana hannah hans harald harold harriet
harry hassan heather hector heidi heike helen helena helga henrik henry herbert hernan hilda
hiroshi hugo humberto ian ibrahim ignacio igor ilse ines inga inge ingrid irena irene irina
iris isaac isabel isabella isabelle ismael ivan ivana jacinta jack jackie jacob jacqueline
jaime jakob jakub james jamie jan jana jane janet janice janina jaroslav jasmine jason javier
jay jean jeff jeffrey jenna jennifer jenny jeremy jerome jerzy jesper jessica jesus jill jim
jimena jimmy jiri joachim joan joanna joao joaquin jodi jody joe joel johan johann johanna john
johnny jonas jonathan jordan jorge jose josef josefina joseph josh joshua josie juan juana
judith judy julia julian juliana julie julien julio julius justin kai kamila karen karin karina
karl karla kasper katarina katarzyna kate katherine kathleen kathryn kathy katie katja katrin
katrina kayla keith kelly ken kenji kenneth kerry kevin kim kimberly kirsten klaus kristen
kristian kristin kristina krzysztof kurt kyle lana lara larissa lars laura lauren lawrence lea
leah lena leo leon leona leonardo leonie leopold leslie liam lidia liliana lina linda lindsay
lisa liv liz lizbeth logan lorena lorenzo lori louis louise lourdes luca lucas lucia luciana
luciano lucy luis luisa lukas lupita luz lydia lynn madeline madison magda magdalena magnus
maite malcolm malik manuel manuela marc marcela marcelo marcia marco marcos marcus margaret
margarita margit maria mariana mariano marie marina mario marion marisol marissa marius marjorie
marko marlene marta martha martin martina marvin mary maryam mateo matej mathias matias matilda
matteo matthew matthias maureen maurice mauricio maximilian maya megan mehmet melanie melissa
mercedes mia michael michaela michal micheal michel michelle miguel mikael mikhail mikkel milan
milena miriam mirko moises monica monika morgan muhammad nadia nadine nancy naomi natalia
natalie natasha nathalie nathan nathaniel nelson nestor nicholas nicolas nicole niels nikita
nikola nikolai nikolaj nils nina noah noelia nora norma norman nuria octavio olaf olga oliver
olivia omar orlando oscar oskar otto pablo paloma pamela paola paolo patricia patricio patrick
paul paula paulina pauline pavel pawel pedro per peter petra philip philippe pierre pietro pilar
piotr priya rachel rafael rafaela ramon ramona randy raquel raul rebecca regina reinhard renata
rene ricardo richard rita robert roberta roberto rocio rodolfo rodrigo roger rolando roman
romina ronald rosa rosalia rosario roxana ruben rudolf russell ruth ryan sabine sabrina sally
salvador samantha samir samuel sandra sanjay santiago sara sarah sasha scott sean sebastian
selma sergei sergio seth shannon sharon shawn sheila shirley silvia simon simone sofia sonia
sophia sophie stacy stanislav stefan stefanie stephan stephanie stephen steve steven susan
susana suzanne sven svetlana sylvia takeshi tamara tania tanya tatiana teresa terry thea
theresa thomas tiffany timothy tina tobias todd tom tomas tommy tony tracy travis trevor ulrich
ulrike ursula valentina valeria valerie vanessa vera veronica veronika vicente victor victoria
vikram vincent viktor viktoria vilma vincenzo virginia vivian vladimir walter wanda wayne wendy
werner wilhelm william wojciech xavier ximena yasmin yolanda yuki yuri yusuf yvette yvonne
zachary zoe zofia zoltan
johannes sigrid solveig freya hanna hanne liisa aino eino juhani mikko jukka pekka matti antti
timo ville riikka sari tuula tuomas ari kari jari laszlo zsofia istvan gabor ferenc attila
eszter katalin stanislaw miroslav bohdan oksana natasja natasha lenka tereza zuzana milos dusan
goran dragan zoran vesna snezana sander bram daan jeroen joost sanne femke anouk giorgos nikos
eleni dimitris kostas yannis mustafa emre ayse fatma haruto yuto sota yui hina riku kenta takumi
ahmad mohammed mohamed khalid layla youssef rahul amit anil deepak sunita ravi sofia lucia
guadalupe ximena valeria renata fernanda itzel yesenia marisela rocio araceli leticia graciela
abdullah addison adrianna aisha aiyana alana alexia alisha alyssa amari amaya amber ameer andre
andrea angelina angie aniyah antoine antonio antwan aria ariana arianna armani ashanti asia
aubrey audrey aurelia avery ayanna bianca braden brandi brayden breanna brenna brianna bryce
byron caleb camden camron carly carlton carmelo cassidy cedric celeste chanel chantal charlene
chase chelsea cheyenne chiamaka chidi chinedu chinonso ciara cierra clayton cody cole colton
corey cortez courtney cristal damon dante darian darnell darrell darryl dashawn davon dayana
deandre deion delia demarcus demetrius deja denzel deshawn desiree destiny devin devon dominique
donnell donovan dorian dwayne ebony eduardo efrain elijah eliana elisa elliott emeka emmett
esmeralda estrella everett ezekiel ezra fabiola felicia fernando gabriela garrett gavin genesis
giselle graciela griffin hailey haley harper hayden heriberto imani isaiah isiah ivette jabari
jacqueline jada jade jadon jaden jaime jalen jamal jamar jamarcus jameson jamie jamila janae
janelle janiya jarrod jasmin javon jaxon jayden jaylen jaylin jazmin jazmine jermaine jerome
jesse jessie joanne jocelyn jolene jonah josiah jovan julissa justice kaden kaitlyn kameron
kareem karim kassandra katelyn kayla keanu keenan keisha kendall kendra kendrick kenya kenyatta
keshawn kevin khadija kiara kierra kimberley kira lakisha lamar lamont landon laquan laquisha
lashawn latasha latisha latoya laurel lorenzo lucero malachi malia maribel marisela marquis
marquise marshall maurice mckenzie meghan mercedes micah miguel mikayla miracle misael moises
monique nadia naomi nasir nayeli neha nia nicolette nneka noemi obinna oluwaseun omari paige
precious quentin quinton raheem raquel rashad rashida reggie reginald rene reyna ricky rihanna
rolando roxanne sade sasha savannah shanice shaniqua shanice shanika shaquille shawna shayla
shelby sierra sincere skylar stacey tamara tamika tanisha tasha tatiana tavon terrell terrence
tiana tianna tierra toni tre trevon tyler tyra tyree tyrone tyshawn uriel valentin vanessa
veronica wesley whitney xavier yadira yaritza yesenia yolanda yvette zaire zion zoey ahmed
aliyah amina anjali arjun deepa farah fatima hamza ibrahim kwame kofi nkechi olu samira tariq
yasmin zainab zara huong linh minh nguyen thanh thuy tuan trinh mei lin wei xiu jun ming hyun
jiwoo minji seojun soo yuna alyssa beth carl chuy chucho conchita lalo pancho paco pepe memo
nacho lupe
""".replace("guadalupe ", "")

_AMBIGUOUS = """
will mark grace hope joy faith rose bill pat sue ray frank jack destiny dawn summer april may
june angel guy art don max sky amber ruby violet holly ivy crystal jade pearl iris daisy lily
olive autumn brook cliff dean drew gene glen miles rich rob chase hunter victor sunny carol
christian august norman dolores mercedes guadalupe luz paz rosario pilar consuelo esperanza
jesus cruz blanca clemente asuncion soledad dan justice precious sincere miracle
kenya asia sierra chase tre lin deja celeste estrella memo nacho laurel cole genesis zion
"""

AMBIGUOUS: frozenset[str] = frozenset(fold(n) for n in _AMBIGUOUS.split())
GIVEN_NAMES: frozenset[str] = frozenset(fold(n) for n in _NAMES.split()) | AMBIGUOUS


def is_given_name(word: str) -> bool:
    """True for a common given name, accents and case ignored ("María", "JOSÉ")."""
    return fold(word) in GIVEN_NAMES


def is_ambiguous_name(word: str) -> bool:
    """True for a given name that is also an everyday word ("Will", "Grace", "Angel")."""
    return fold(word) in AMBIGUOUS
