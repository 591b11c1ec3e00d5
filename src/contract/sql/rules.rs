//! SQL rules: one constant per rule, emitted by constant so that a mistyped rule
//! cannot compile, and [`RULES`], the table of all of them sorted by id.

crate::contract::rules::declare_rules! {
    COLUMN_ADDED = "sql.column.added", NonBreaking, "a new column that is nullable or has a default; old writers that omit it still succeed";
    COLUMN_ADDED_NOT_NULL_WITHOUT_DEFAULT = "sql.column.added-not-null-without-default", Breaking, "a new NOT NULL column without a default; old writers' INSERTs, which omit it, fail";
    COLUMN_BECAME_NOT_NULL = "sql.column.became-not-null", Breaking, "a column became NOT NULL; writers that omit it (when it has no default) or set it to NULL fail";
    COLUMN_BECAME_NULLABLE = "sql.column.became-nullable", Breaking, "a column may now hold NULL; readers that decode it into a non-optional value fail on the first NULL";
    COLUMN_DEFAULT_CHANGED = "sql.column.default-changed", NonBreaking, "a column's default was added or changed, or a nullable column lost its default";
    COLUMN_DEFAULT_REMOVED = "sql.column.default-removed", Breaking, "a NOT NULL column lost its default; writers that omit it fail";
    COLUMN_REMOVED = "sql.column.removed", Breaking, "a column was dropped; readers selecting it and writers setting it fail";
    COLUMN_RENAMED = "sql.column.renamed", Breaking, "a column was renamed; readers and writers using the old name fail";
    COLUMN_TYPE_CHANGED = "sql.column.type-changed", Breaking, "a column's type changed to an incompatible family (text to integer); readers and writers fail";
    COLUMN_TYPE_NARROWED = "sql.column.type-narrowed", Breaking, "a column's type holds less than before (bigint to integer, varchar(255) to varchar(100)); writers of the lost values fail";
    COLUMN_TYPE_WIDENED = "sql.column.type-widened", NonBreaking, "a column's type holds everything it held before (integer to bigint, varchar to text)";
    CONSTRAINT_CHECK_ADDED = "sql.constraint.check-added", Breaking, "a CHECK constraint was added; writers of values it rejects fail";
    CONSTRAINT_FOREIGN_KEY_ADDED = "sql.constraint.foreign-key-added", Breaking, "a foreign key was added; writers of rows without a referenced row fail";
    CONSTRAINT_PRIMARY_KEY_CHANGED = "sql.constraint.primary-key-changed", Breaking, "the primary key was added, removed or changed columns; writers and upserts keyed on it fail";
    CONSTRAINT_UNIQUE_ADDED = "sql.constraint.unique-added", Breaking, "a unique constraint or unique index was added; writers of duplicate values fail";
    CONSTRAINT_UNIQUE_REMOVED = "sql.constraint.unique-removed", Breaking, "a unique constraint or unique index was removed; upserts keyed on it fail (ON CONFLICT) or insert duplicates (ON DUPLICATE KEY), and readers may see duplicates";
    ENUM_REMOVED = "sql.enum.removed", Breaking, "an enum type was dropped; writers casting to it fail";
    ENUM_VALUE_ADDED = "sql.enum.value-added", NonBreaking, "an enum type has a new value";
    ENUM_VALUE_REMOVED = "sql.enum.value-removed", Breaking, "an enum value was removed or renamed; writers of that value fail";
    INDEX_REMOVED = "sql.index.removed", NonBreaking, "a non-unique index was dropped; queries stay correct but those it served may get slower";
    TABLE_ADDED = "sql.table.added", NonBreaking, "a new table";
    TABLE_REMOVED = "sql.table.removed", Breaking, "a table was dropped; its readers and writers fail";
    TABLE_RENAMED = "sql.table.renamed", Breaking, "a table was renamed; readers and writers using the old name fail";
    VIEW_ADDED = "sql.view.added", NonBreaking, "a new view";
    VIEW_COLUMN_REMOVED = "sql.view.column-removed", Breaking, "a view no longer returns a column; readers selecting it fail";
    VIEW_REMOVED = "sql.view.removed", Breaking, "a view was dropped; its readers fail";
    VIEW_RENAMED = "sql.view.renamed", Breaking, "a view was renamed; readers using the old name fail";
}
