"""arXiv subject codes and their human names, for facets, ``show`` and the stats screen."""

from __future__ import annotations

CATEGORY_NAMES: dict[str, str] = {
    "AI": "Artificial Intelligence",
    "AR": "Hardware Architecture",
    "CC": "Computational Complexity",
    "CE": "Computational Engineering",
    "CG": "Computational Geometry",
    "CL": "Computation and Language",
    "CR": "Cryptography and Security",
    "CV": "Computer Vision",
    "CY": "Computers and Society",
    "DB": "Databases",
    "DC": "Distributed Computing",
    "DL": "Digital Libraries",
    "DM": "Discrete Mathematics",
    "DS": "Data Structures and Algorithms",
    "ET": "Emerging Technologies",
    "FL": "Formal Languages",
    "GL": "General Literature",
    "GR": "Graphics",
    "GT": "Game Theory",
    "HC": "Human-Computer Interaction",
    "IR": "Information Retrieval",
    "IT": "Information Theory",
    "LG": "Machine Learning",
    "LO": "Logic in Computer Science",
    "MA": "Multiagent Systems",
    "ML": "Machine Learning (Statistics)",
    "MM": "Multimedia",
    "MS": "Mathematical Software",
    "NA": "Numerical Analysis",
    "NE": "Neural and Evolutionary Computing",
    "NI": "Networking and Internet Architecture",
    "OC": "Optimization and Control",
    "OS": "Operating Systems",
    "PF": "Performance",
    "PL": "Programming Languages",
    "RO": "Robotics",
    "SC": "Symbolic Computation",
    "SD": "Sound",
    "SE": "Software Engineering",
    "SI": "Social and Information Networks",
    "SP": "Signal Processing",
    "SY": "Systems and Control",
    "ST": "Statistics Theory",
    "AS": "Audio and Speech Processing",
    "IV": "Image and Video Processing",
    "ME": "Methodology (Statistics)",
    "CO": "Computation (Statistics)",
    "AP": "Applications (Statistics)",
    "PR": "Probability",
    "QC": "General Relativity and Quantum Cosmology",
    "QP": "Quantum Physics",
}


def category_name(code: str) -> str:
    """Return the human name of an arXiv subject code, or the code itself.

    Codes may arrive bare (``LG``) or qualified (``cs.LG``); both map to the
    same name so that facets read the same whichever importer produced them.
    """
    bare = code.rsplit(".", 1)[-1].upper()
    return CATEGORY_NAMES.get(bare, code)
