"""Building blocks for enumerating resist-component analogues (SMILES with one ``[*]`` end).

Each table holds substituents or cores that occur in commercial resist materials or their close
analogues; the families follow the seed patent's component classes and the resist literature:
onium photoacid generators (Crivello, Adv. Polym. Sci. 62, 1 (1984); Ito, Adv. Polym. Sci. 172,
37 (2005)), N-sulfonyloxyimides and disulfonyldiazomethanes (Shirai & Tsunooka, Prog. Polym.
Sci. 21, 1 (1996)), amino-resin crosslinkers (Cymel/Powderlink product data, Allnex) and
alkoxymethyl phenols (Thackeray et al., SPIE 1086 (1989)), multifunctional (meth)acrylates and
vinyl ethers (Sartomer / BASF product lines), and amine/amidine/imidazole quenchers.
Cores carry numbered attachment points ``[*:1]``..``[*:k]``; a substituent ``[*][H]`` means none.
"""

from __future__ import annotations

H = "[*][H]"

# ---- aryl groups on onium cations (para/meta substituted phenyls, naphthyl) ----------------
ONIUM_ARYLS: dict[str, str] = {
    "phenyl": "[*]c1ccccc1",
    "4-methylphenyl": "[*]c1ccc(C)cc1",
    "4-tert-butylphenyl": "[*]c1ccc(C(C)(C)C)cc1",
    "4-methoxyphenyl": "[*]c1ccc(OC)cc1",
    "4-n-butoxyphenyl": "[*]c1ccc(OCCCC)cc1",
    "4-tert-butoxyphenyl": "[*]c1ccc(OC(C)(C)C)cc1",
    "4-hydroxyphenyl": "[*]c1ccc(O)cc1",
    "4-fluorophenyl": "[*]c1ccc(F)cc1",
    "4-chlorophenyl": "[*]c1ccc(Cl)cc1",
    "4-(trifluoromethyl)phenyl": "[*]c1ccc(C(F)(F)F)cc1",
    "3-(trifluoromethyl)phenyl": "[*]c1cccc(C(F)(F)F)c1",
    "3,5-dimethylphenyl": "[*]c1cc(C)cc(C)c1",
    "2,4,6-trimethylphenyl": "[*]c1c(C)cc(C)cc1C",
    "4-(phenylthio)phenyl": "[*]c1ccc(Sc2ccccc2)cc1",
    "4-(methylthio)phenyl": "[*]c1ccc(SC)cc1",
    "4-cyclohexylphenyl": "[*]c1ccc(C2CCCCC2)cc1",
    "naphthalen-2-yl": "[*]c1ccc2ccccc2c1",
}

# ---- R of sulfonates R-SO3- / sulfonyl esters, by acid class ---------------------------------
SULFONYL_R: dict[str, dict[str, str]] = {
    "perfluoroalkyl": {
        "trifluoromethyl": "[*]C(F)(F)F",
        "pentafluoroethyl": "[*]C(F)(F)C(F)(F)F",
        "heptafluoropropyl": "[*]C(F)(F)C(F)(F)C(F)(F)F",
        "nonafluorobutyl": "[*]C(F)(F)C(F)(F)C(F)(F)C(F)(F)F",
        "tridecafluorohexyl": "[*]C(F)(F)C(F)(F)C(F)(F)C(F)(F)C(F)(F)C(F)(F)F",
        "heptadecafluorooctyl": "[*]C(F)(F)C(F)(F)C(F)(F)C(F)(F)C(F)(F)C(F)(F)C(F)(F)C(F)(F)F",
        "1,1,2,2-tetrafluoro-2-(pentafluoroethoxy)ethyl": "[*]C(F)(F)C(F)(F)OC(F)(F)C(F)(F)F",
        "1,1-difluoro-2-(adamantylcarbonyloxy)ethyl": "[*]C(F)(F)COC(=O)C12CC3CC(CC(C3)C1)C2",
    },
    "fluoroaryl": {
        "pentafluorophenyl": "[*]c1c(F)c(F)c(F)c(F)c1F",
        "4-fluorophenyl": "[*]c1ccc(F)cc1",
        "2,4-difluorophenyl": "[*]c1ccc(F)cc1F",
        "4-(trifluoromethyl)phenyl": "[*]c1ccc(C(F)(F)F)cc1",
        "3,5-bis(trifluoromethyl)phenyl": "[*]c1cc(C(F)(F)F)cc(C(F)(F)F)c1",
    },
    "aryl": {
        "phenyl": "[*]c1ccccc1",
        "4-methylphenyl": "[*]c1ccc(C)cc1",
        "2,4,6-trimethylphenyl": "[*]c1c(C)cc(C)cc1C",
        "2,4,6-triisopropylphenyl": "[*]c1c(C(C)C)cc(C(C)C)cc1C(C)C",
        "4-dodecylphenyl": "[*]c1ccc(CCCCCCCCCCCC)cc1",
        "4-methoxyphenyl": "[*]c1ccc(OC)cc1",
        "4-nitrophenyl": "[*]c1ccc([N+](=O)[O-])cc1",
        "naphthalen-2-yl": "[*]c1ccc2ccccc2c1",
    },
    "camphor": {
        "10-camphoryl": "[*]CC12CCC(CC1=O)C2(C)C",
    },
    "alkyl": {
        "methyl": "[*]C",
        "ethyl": "[*]CC",
        "n-propyl": "[*]CCC",
        "n-butyl": "[*]CCCC",
        "n-octyl": "[*]CCCCCCCC",
        "cyclohexyl": "[*]C1CCCCC1",
    },
}

# ---- N-hydroxyimides (as the N-oxy fragment) ------------------------------------------------
IMIDE_OXY: dict[str, str] = {
    "succinimide": "[*]ON1C(=O)CCC1=O",
    "maleimide": "[*]ON1C(=O)C=CC1=O",
    "glutarimide": "[*]ON1C(=O)CCCC1=O",
    "phthalimide": "[*]ON1C(=O)c2ccccc2C1=O",
    "1,8-naphthalimide": "[*]ON1C(=O)c2cccc3cccc(C1=O)c23",
    "5-norbornene-2,3-dicarboximide": "[*]ON1C(=O)C2C3C=CC(C3)C2C1=O",
    "cyclohexane-1,2-dicarboximide": "[*]ON1C(=O)C2CCCCC2C1=O",
}

# ---- R of disulfonyldiazomethanes R-SO2-C(=N2)-SO2-R' ---------------------------------------
DIAZO_R: dict[str, str] = {
    "methyl": "[*]C",
    "ethyl": "[*]CC",
    "isopropyl": "[*]C(C)C",
    "n-butyl": "[*]CCCC",
    "tert-butyl": "[*]C(C)(C)C",
    "cyclohexyl": "[*]C1CCCCC1",
    "phenyl": "[*]c1ccccc1",
    "4-methylphenyl": "[*]c1ccc(C)cc1",
    "4-tert-butylphenyl": "[*]c1ccc(C(C)(C)C)cc1",
    "2,4-dimethylphenyl": "[*]c1ccc(C)cc1C",
    "4-methoxyphenyl": "[*]c1ccc(OC)cc1",
    "4-chlorophenyl": "[*]c1ccc(Cl)cc1",
    "naphthalen-2-yl": "[*]c1ccc2ccccc2c1",
}

# ---- crosslinkers --------------------------------------------------------------------------
# N-substituents of amino resins: methylol, alkoxymethyl, acyloxymethyl (reactive) or H.
AMINO_N_GROUPS: dict[str, str] = {
    "hydroxymethyl": "[*]CO",
    "methoxymethyl": "[*]COC",
    "ethoxymethyl": "[*]COCC",
    "n-propoxymethyl": "[*]COCCC",
    "isopropoxymethyl": "[*]COC(C)C",
    "n-butoxymethyl": "[*]COCCCC",
    "isobutoxymethyl": "[*]COCC(C)C",
    "acetoxymethyl": "[*]COC(C)=O",
}
AMINO_CORES: dict[str, str] = {
    "melamine": "N([*:1])([*:2])c1nc(N([*:3])[*:4])nc(N([*:5])[*:6])n1",
    "benzoguanamine": "N([*:1])([*:2])c1nc(N([*:3])[*:4])nc(-c2ccccc2)n1",
    "acetoguanamine": "N([*:1])([*:2])c1nc(N([*:3])[*:4])nc(C)n1",
    "glycoluril": "O=C1N([*:1])C2C(N1[*:2])N([*:3])C(=O)N2[*:4]",
    "urea": "O=C(N([*:1])[*:2])N([*:3])[*:4]",
    "ethyleneurea": "O=C1N([*:1])CCN1[*:2]",
    "propyleneurea": "O=C1N([*:1])CCCN1[*:2]",
    "4,5-dimethoxyethyleneurea": "O=C1N([*:1])C(OC)C(OC)N1[*:2]",
}
# Phenolic cores: [*:k] sit ortho to a phenolic OH (where methylol groups go).
PHENOL_CORES: dict[str, str] = {
    "4-methylphenol": "Oc1c([*:1])cc(C)cc1[*:2]",
    "4-tert-butylphenol": "Oc1c([*:1])cc(C(C)(C)C)cc1[*:2]",
    "4-tert-octylphenol": "Oc1c([*:1])cc(C(C)(C)CC(C)(C)C)cc1[*:2]",
    "4-methoxyphenol": "Oc1c([*:1])cc(OC)cc1[*:2]",
    "4-phenylphenol": "Oc1c([*:1])cc(-c2ccccc2)cc1[*:2]",
    "bisphenol A": "CC(C)(c1cc([*:1])c(O)c([*:2])c1)c1cc([*:3])c(O)c([*:4])c1",
    "bisphenol F": "C(c1cc([*:1])c(O)c([*:2])c1)c1cc([*:3])c(O)c([*:4])c1",
    "bisphenol AF": "FC(F)(F)C(c1cc([*:1])c(O)c([*:2])c1)(c1cc([*:3])c(O)c([*:4])c1)C(F)(F)F",
    "bisphenol Z": "C1CCC(CC1)(c1cc([*:1])c(O)c([*:2])c1)c1cc([*:3])c(O)c([*:4])c1",
    "4,4'-biphenol": "Oc1c([*:1])cc(-c2cc([*:3])c(O)c([*:4])c2)cc1[*:2]",
    "1,1,1-tris(4-hydroxyphenyl)ethane":
        "CC(c1cc([*:1])c(O)c([*:2])c1)(c1cc([*:3])c(O)c([*:4])c1)c1cc([*:5])c(O)c([*:6])c1",
}
PHENOL_GROUPS: dict[str, str] = {
    "hydroxymethyl": "[*]CO",
    "methoxymethyl": "[*]COC",
    "ethoxymethyl": "[*]COCC",
    "n-butoxymethyl": "[*]COCCCC",
    "acetoxymethyl": "[*]COC(C)=O",
}

# ---- component D: polyols capped with polymerizable groups ----------------------------------
POLYOLS: dict[str, str] = {
    "ethylene glycol": "OCCO",
    "diethylene glycol": "OCCOCCO",
    "triethylene glycol": "OCCOCCOCCO",
    "tetraethylene glycol": "OCCOCCOCCOCCO",
    "nonaethylene glycol": "OCCOCCOCCOCCOCCOCCOCCOCCOCCO",
    "1,3-propanediol": "OCCCO",
    "1,4-butanediol": "OCCCCO",
    "1,6-hexanediol": "OCCCCCCO",
    "1,9-nonanediol": "OCCCCCCCCCO",
    "neopentyl glycol": "CC(C)(CO)CO",
    "2-methyl-1,3-propanediol": "CC(CO)CO",
    "dipropylene glycol": "CC(O)COC(C)CO",
    "tripropylene glycol": "CC(O)COC(C)COC(C)CO",
    "1,4-cyclohexanedimethanol": "OCC1CCC(CO)CC1",
    "tricyclodecanedimethanol": "OCC1CC2CC1C1CCC(CO)C21",
    "1,4-benzenedimethanol": "OCc1ccc(CO)cc1",
    "ethoxylated bisphenol A": "CC(C)(c1ccc(OCCO)cc1)c1ccc(OCCO)cc1",
    "isosorbide": "OC1COC2C(O)COC12",
    "glycerol": "OCC(O)CO",
    "trimethylolpropane": "CCC(CO)(CO)CO",
    "ethoxylated trimethylolpropane": "CCC(COCCO)(COCCO)COCCO",
    "pentaerythritol": "OCC(CO)(CO)CO",
    "di(trimethylolpropane)": "CCC(CO)(CO)COCC(CC)(CO)CO",
    "dipentaerythritol": "OCC(CO)(CO)COCC(CO)(CO)CO",
    "tris(2-hydroxyethyl) isocyanurate": "OCCN1C(=O)N(CCO)C(=O)N(CCO)C1=O",
    "2-ethylhexanol": "CCCCC(CC)CO",
    "isoborneol": "CC1(C)C2CCC1(C)C(O)C2",
    "tetrahydrofurfuryl alcohol": "OCC1CCCO1",
    "2-phenoxyethanol": "OCCOc1ccccc1",
    "cyclohexanol": "OC1CCCCC1",
    "1-adamantanol": "OC12CC3CC(CC(C3)C1)C2",
}
# Caps on a polyol's O: radical-polymerizable esters, cationic vinyl/allyl/glycidyl ethers.
POLYMERIZABLE_CAPS: dict[str, str] = {
    "acrylate": "[*]C(=O)C=C",
    "methacrylate": "[*]C(=O)C(C)=C",
    "vinyl ether": "[*]C=C",
    "allyl ether": "[*]CC=C",
    "glycidyl ether": "[*]CC1CO1",
}

# ---- bases (quenchers) ---------------------------------------------------------------------
AMINE_ALKYLS: dict[str, str] = {
    "methyl": "[*]C",
    "ethyl": "[*]CC",
    "n-propyl": "[*]CCC",
    "isopropyl": "[*]C(C)C",
    "n-butyl": "[*]CCCC",
    "n-hexyl": "[*]CCCCCC",
    "n-octyl": "[*]CCCCCCCC",
    "n-dodecyl": "[*]CCCCCCCCCCCC",
    "cyclohexyl": "[*]C1CCCCC1",
    "benzyl": "[*]Cc1ccccc1",
    "2-hydroxyethyl": "[*]CCO",
    "2-methoxyethyl": "[*]CCOC",
    "2-(2-methoxyethoxy)ethyl": "[*]CCOCCOC",
}
CYCLIC_AMINES: dict[str, str] = {
    "morpholine": "[*:1]N1CCOCC1",
    "piperidine": "[*:1]N1CCCCC1",
    "pyrrolidine": "[*:1]N1CCCC1",
    "4-methylpiperazine": "[*:1]N1CCN(C)CC1",
}
ANILINE_RINGS: dict[str, str] = {
    "phenyl": "[*]c1ccccc1",
    "4-methylphenyl": "[*]c1ccc(C)cc1",
    "4-methoxyphenyl": "[*]c1ccc(OC)cc1",
    "2,6-dimethylphenyl": "[*]c1c(C)cccc1C",
    "2,6-diisopropylphenyl": "[*]c1c(C(C)C)cccc1C(C)C",
    "4-tert-butylphenyl": "[*]c1ccc(C(C)(C)C)cc1",
}
PYRIDINE_CORE = "c1c([*:3])c([*:2])nc([*:1])c1"  # 2-, 3- and 4-... kept as 6-, 5-, 4- positions
PYRIDINE_GROUPS: dict[str, str] = {
    "H": H,
    "methyl": "[*]C",
    "tert-butyl": "[*]C(C)(C)C",
    "phenyl": "[*]c1ccccc1",
    "dimethylamino": "[*]N(C)C",
}
AMIDINE_CORES: dict[str, str] = {
    "imidazoline": "[*:1]C1=NCCN1[*:2]",
    "tetrahydropyrimidine": "[*:1]C1=NCCCN1[*:2]",
    "acyclic amidine": "CN(C)C([*:1])=N[*:2]",
}
AMIDINE_C_GROUPS: dict[str, str] = {
    "H": H, "methyl": "[*]C", "ethyl": "[*]CC", "n-propyl": "[*]CCC", "phenyl": "[*]c1ccccc1",
    "benzyl": "[*]Cc1ccccc1", "n-undecyl": "[*]CCCCCCCCCCC",
}
AMIDINE_N_GROUPS: dict[str, str] = {
    "methyl": "[*]C", "ethyl": "[*]CC", "n-butyl": "[*]CCCC", "benzyl": "[*]Cc1ccccc1",
    "cyclohexyl": "[*]C1CCCCC1", "phenyl": "[*]c1ccccc1",
}
BICYCLIC_AMIDINES: dict[str, str] = {
    "DBU": "C1CCC2=NCCCN2CC1",
    "DBN": "C1CN=C2CCCN2C1",
    "TBD-methyl (MTBD)": "CN1CCCN2CCCN=C12",
}
IMIDAZOLE_CORES: dict[str, str] = {
    "imidazole": "[*:2]c1nc([*:3])cn1[*:1]",
    "benzimidazole": "[*:2]c1nc2ccccc2n1[*:1]",
}
IMIDAZOLE_N1: dict[str, str] = {
    "H": H, "methyl": "[*]C", "ethyl": "[*]CC", "n-butyl": "[*]CCCC", "benzyl": "[*]Cc1ccccc1",
    "phenyl": "[*]c1ccccc1", "2-cyanoethyl": "[*]CCC#N",
}
IMIDAZOLE_C2: dict[str, str] = {
    "H": H, "methyl": "[*]C", "ethyl": "[*]CC", "isopropyl": "[*]C(C)C", "phenyl": "[*]c1ccccc1",
    "n-undecyl": "[*]CCCCCCCCCCC", "n-heptadecyl": "[*]CCCCCCCCCCCCCCCCC",
}
IMIDAZOLE_C4: dict[str, str] = {"H": H, "methyl": "[*]C", "phenyl": "[*]c1ccccc1"}
AMMONIUM_ALKYLS: dict[str, str] = {
    "methyl": "[*]C", "ethyl": "[*]CC", "n-propyl": "[*]CCC", "n-butyl": "[*]CCCC",
    "benzyl": "[*]Cc1ccccc1", "2-hydroxyethyl": "[*]CCO",
}

# ---- resin repeat units ([*] at both backbone ends) -----------------------------------------
PHENOLIC_UNITS: dict[str, str] = {
    "4-hydroxystyrene": "[*]CC([*])c1ccc(O)cc1",
    "3-hydroxystyrene": "[*]CC([*])c1cccc(O)c1",
    "4-hydroxy-alpha-methylstyrene": "[*]CC([*])(C)c1ccc(O)cc1",
    "3-methyl-4-hydroxystyrene": "[*]CC([*])c1ccc(O)c(C)c1",
}
COMONOMER_UNITS: dict[str, str] = {
    "styrene": "[*]CC([*])c1ccccc1",
    "4-methylstyrene": "[*]CC([*])c1ccc(C)cc1",
    "4-tert-butylstyrene": "[*]CC([*])c1ccc(C(C)(C)C)cc1",
    "4-methoxystyrene": "[*]CC([*])c1ccc(OC)cc1",
    "4-acetoxystyrene": "[*]CC([*])c1ccc(OC(C)=O)cc1",
    "4-tert-butoxystyrene": "[*]CC([*])c1ccc(OC(C)(C)C)cc1",
    "4-chlorostyrene": "[*]CC([*])c1ccc(Cl)cc1",
    "2-vinylnaphthalene": "[*]CC([*])c1ccc2ccccc2c1",
    "acenaphthylene": "[*]C1C([*])c2cccc3cccc1c23",
    "indene": "[*]C1Cc2ccccc2C1[*]",
    "methyl methacrylate": "[*]CC([*])(C)C(=O)OC",
    "2-hydroxyethyl methacrylate": "[*]CC([*])(C)C(=O)OCCO",
    "isobornyl methacrylate": "[*]CC([*])(C)C(=O)OC1CC2CCC1(C)C2(C)C",
    "1-adamantyl methacrylate": "[*]CC([*])(C)C(=O)OC12CC3CC(CC(C3)C1)C2",
    "N-phenylmaleimide": "[*]C1C([*])C(=O)N(c2ccccc2)C1=O",
}
# B' units: pendant C=C groups that take part in polymerization of D (claim 9 of the seed patent).
B_PRIME_UNITS: dict[str, str] = {
    "4-allyloxystyrene": "[*]CC([*])c1ccc(OCC=C)cc1",
    "4-vinyloxystyrene": "[*]CC([*])c1ccc(OC=C)cc1",
    "4-(2-vinyloxyethoxy)styrene": "[*]CC([*])c1ccc(OCCOC=C)cc1",
    "4-acryloyloxystyrene": "[*]CC([*])c1ccc(OC(=O)C=C)cc1",
    "4-methacryloyloxystyrene": "[*]CC([*])c1ccc(OC(=O)C(C)=C)cc1",
    "4-vinylstyrene": "[*]CC([*])c1ccc(C=C)cc1",
    "allyl methacrylate": "[*]CC([*])(C)C(=O)OCC=C",
    "2-(methacryloyloxy)ethyl methacrylate": "[*]CC([*])(C)C(=O)OCCOC(=O)C(C)=C",
    "glycidyl methacrylate-acrylic acid adduct": "[*]CC([*])(C)C(=O)OCC(O)COC(=O)C=C",
}
