"""From a solved plan to what people read: reasons, diagnoses, tables, workbook, maps, report."""
