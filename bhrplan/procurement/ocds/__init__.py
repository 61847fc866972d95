from bhrplan.procurement.ocds.native import guard

guard()
