// A small, valid SFDX project: one custom object with a field, an Apex class that follows the security
// rules, an LWC on an App page and in a quick action, a permission set and a tab. Every gate passes on it;
// each test breaks one thing.
export const GOOD_PROJECT: Record<string, string> = {
    'force-app/main/default/classes/WidgetService.cls': `/**
 * Reads and updates widgets for the current user.
 */
public with sharing class WidgetService {
    /**
     * Returns the widgets of a given size.
     * @param size the size to match
     * @return the matching widgets
     */
    @AuraEnabled(cacheable=true)
    public static List<Widget__c> widgetsOfSize(Decimal size) {
        return [SELECT Id, Name, Size__c FROM Widget__c WHERE Size__c = :size WITH USER_MODE LIMIT 200];
    }

    /**
     * Doubles the size of the given widgets.
     * @param widgets the widgets to grow
     */
    public static void grow(List<Widget__c> widgets) {
        for (Widget__c w : widgets) {
            w.Size__c = w.Size__c * 2;
        }
        update as user widgets;
    }
}
`,
    'force-app/main/default/classes/WidgetService.cls-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
`,
    'force-app/main/default/flexipages/Widget_Home.flexipage-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<FlexiPage xmlns="http://soap.sforce.com/2006/04/metadata">
    <flexiPageRegions>
        <itemInstances>
            <componentInstance>
                <componentName>widgetCard</componentName>
                <identifier>widgetCard</identifier>
            </componentInstance>
        </itemInstances>
        <name>main</name>
        <type>Region</type>
    </flexiPageRegions>
    <masterLabel>Widget Home</masterLabel>
    <template>
        <name>flexipage:defaultAppHomeTemplate</name>
    </template>
    <type>AppPage</type>
</FlexiPage>
`,
    'force-app/main/default/lwc/widgetCard/widgetCard.html': `<template><p>{recordId}</p></template>
`,
    'force-app/main/default/lwc/widgetCard/widgetCard.js': `import { LightningElement, api } from 'lwc';
export default class WidgetCard extends LightningElement {
    @api recordId;
}
`,
    'force-app/main/default/lwc/widgetCard/widgetCard.js-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<LightningComponentBundle xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <isExposed>true</isExposed>
    <targets>
        <target>lightning__AppPage</target>
        <target>lightning__RecordAction</target>
    </targets>
    <targetConfigs>
        <targetConfig targets="lightning__RecordAction">
            <actionType>ScreenAction</actionType>
        </targetConfig>
    </targetConfigs>
</LightningComponentBundle>
`,
    'force-app/main/default/objects/Widget__c/Widget__c.object-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <deploymentStatus>Deployed</deploymentStatus>
    <description>A widget.</description>
    <label>Widget</label>
    <nameField>
        <label>Widget Name</label>
        <type>Text</type>
    </nameField>
    <pluralLabel>Widgets</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
`,
    'force-app/main/default/objects/Widget__c/fields/Size__c.field-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Size__c</fullName>
    <description>Size of the widget.</description>
    <inlineHelpText>How big the widget is.</inlineHelpText>
    <label>Size</label>
    <precision>18</precision>
    <scale>0</scale>
    <required>false</required>
    <type>Number</type>
</CustomField>
`,
    'force-app/main/default/permissionsets/Widget_User.permissionset-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <classAccesses>
        <apexClass>WidgetService</apexClass>
        <enabled>true</enabled>
    </classAccesses>
    <fieldPermissions>
        <editable>true</editable>
        <field>Widget__c.Size__c</field>
        <readable>true</readable>
    </fieldPermissions>
    <hasActivationRequired>false</hasActivationRequired>
    <label>Widget User</label>
    <objectPermissions>
        <allowCreate>false</allowCreate>
        <allowDelete>false</allowDelete>
        <allowEdit>true</allowEdit>
        <allowRead>true</allowRead>
        <modifyAllRecords>false</modifyAllRecords>
        <object>Widget__c</object>
        <viewAllRecords>false</viewAllRecords>
    </objectPermissions>
    <tabSettings>
        <tab>Widget__c</tab>
        <visibility>Visible</visibility>
    </tabSettings>
</PermissionSet>
`,
    'force-app/main/default/quickActions/Account.Open_Widget.quickAction-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<QuickAction xmlns="http://soap.sforce.com/2006/04/metadata">
    <actionSubtype>ScreenAction</actionSubtype>
    <label>Open Widget</label>
    <lightningWebComponent>widgetCard</lightningWebComponent>
    <optionsCreateFeedItem>false</optionsCreateFeedItem>
    <type>LightningWebComponent</type>
</QuickAction>
`,
    'force-app/main/default/tabs/Widget__c.tab-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<CustomTab xmlns="http://soap.sforce.com/2006/04/metadata">
    <customObject>true</customObject>
    <motif>Custom13: Box</motif>
</CustomTab>
`,
    'sfdx-project.json': `{ "packageDirectories": [{ "path": "force-app", "default": true }], "namespace": "", "sourceApiVersion": "62.0" }
`
};
