<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>ConnectDialog</name>
    <message>
        <source>Connect to server</source>
        <translation>Se connecter à un serveur</translation>
    </message>
    <message>
        <source>Saved profiles</source>
        <translation>Profils enregistrés</translation>
    </message>
    <message>
        <source>production</source>
        <translation>production</translation>
    </message>
    <message>
        <source>read-only</source>
        <translation>lecture seule</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Se connecter</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Nœud</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation>Jeton d&apos;administration</translation>
    </message>
    <message>
        <source>from switchboard admin-token</source>
        <translation>issu de switchboard admin-token</translation>
    </message>
    <message>
        <source>Profile name</source>
        <translation>Nom du profil</translation>
    </message>
    <message>
        <source>optional, to save it</source>
        <translation>facultatif, pour l’enregistrer</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Couleur</translation>
    </message>
    <message>
        <source>Production (a red banner)</source>
        <translation>Production (bandeau rouge)</translation>
    </message>
    <message>
        <source>Read-only (no actions from this console)</source>
        <translation>Lecture seule (aucune action depuis cette console)</translation>
    </message>
    <message>
        <source>No keychain: store the token in plain text in the settings file</source>
        <translation>Pas de trousseau : enregistrer le jeton en clair dans le fichier de réglages</translation>
    </message>
    <message>
        <source>This system has no keychain (Secret Service or KWallet). Unless you tick the box, the token is not saved and you enter it each time.</source>
        <translation>Ce système n&apos;a pas de trousseau (Secret Service ou KWallet). Sans cocher la case, le jeton n&apos;est pas enregistré et vous le saisissez à chaque fois.</translation>
    </message>
    <message>
        <source>Save profile</source>
        <translation>Enregistrer le profil</translation>
    </message>
</context>
<context>
    <name>ConnectionsPage</name>
    <message>
        <source>Connections</source>
        <translation>Connexions</translation>
    </message>
    <message>
        <source>Every open connection, native or Socket.IO. Click a row for details and actions; click a column header to sort.</source>
        <translation>Toutes les connexions ouvertes, natives ou Socket.IO. Cliquez sur une ligne pour les détails et les actions, sur un en-tête de colonne pour trier.</translation>
    </message>
    <message>
        <source>Filter by id, user, role, address, room, protocol or transport</source>
        <translation>Filtrer par id, utilisateur, rôle, adresse, salon, protocole ou transport</translation>
    </message>
    <message>
        <source>%1 of %2 connections</source>
        <translation>%1 sur %2 connexions</translation>
    </message>
    <message numerus="yes">
        <source>%n connection(s)</source>
        <translation>
            <numerusform>%n connexion</numerusform>
            <numerusform>%n connexions</numerusform>
        </translation>
    </message>
    <message>
        <source>No connection matches the filter</source>
        <translation>Aucune connexion ne correspond au filtre</translation>
    </message>
    <message>
        <source>No clients connected</source>
        <translation>Aucun client connecté</translation>
    </message>
    <message>
        <source>Clients connect to %1?token=… — mint a dev token on the Settings page.</source>
        <translation>Les clients se connectent à %1?token=… — créez un jeton de développement sur la page Paramètres.</translation>
    </message>
    <message>
        <source>Connection #%1</source>
        <translation>Connexion #%1</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>connecté</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>déconnecté</translation>
    </message>
    <message>
        <source>Close details</source>
        <translation>Fermer les détails</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilisateur</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rôle</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocole</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>Connected at</source>
        <translation>Connecté depuis</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>Dernière activité</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>%1 in · %2 out</source>
        <translation>%1 reçus · %2 envoyés</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>Octets</translation>
    </message>
    <message>
        <source>Pending send</source>
        <translation>Envoi en attente</translation>
    </message>
    <message>
        <source>I/O thread</source>
        <translation>Thread d&apos;E/S</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Salons</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>Quitter</translation>
    </message>
    <message>
        <source>room name, e.g. order:42</source>
        <translation>nom du salon, p.&#xa0;ex. order:42</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>Rejoindre</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Send event to this connection…</source>
        <translation>Envoyer un événement à cette connexion…</translation>
    </message>
    <message>
        <source>…to the user</source>
        <translation>…à l&apos;utilisateur</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Déconnecter</translation>
    </message>
    <message>
        <source>1000 · normal closure</source>
        <translation>1000 · fermeture normale</translation>
    </message>
    <message>
        <source>1001 · going away</source>
        <translation>1001 · départ</translation>
    </message>
    <message>
        <source>1008 · policy violation</source>
        <translation>1008 · violation de règle</translation>
    </message>
    <message>
        <source>1011 · server error</source>
        <translation>1011 · erreur serveur</translation>
    </message>
    <message>
        <source>4000 · internal error</source>
        <translation>4000 · erreur interne</translation>
    </message>
    <message>
        <source>Use 1000, 1001, 1008, 1011 or an application code 3000–4999.</source>
        <translation>Utilisez 1000, 1001, 1008, 1011 ou un code applicatif 3000–4999.</translation>
    </message>
    <message>
        <source>reason (sent to the client)</source>
        <translation>motif (envoyé au client)</translation>
    </message>
    <message>
        <source>disconnected by operator</source>
        <translation>déconnecté par l&apos;opérateur</translation>
    </message>
    <message>
        <source>‹ Previous</source>
        <translation>‹ Précédent</translation>
    </message>
    <message>
        <source>Next ›</source>
        <translation>Suivant ›</translation>
    </message>
</context>
<context>
    <name>EmitPage</name>
    <message>
        <source>The server is stopped.</source>
        <translation>Le serveur est arrêté.</translation>
    </message>
    <message>
        <source>Enter an event name.</source>
        <translation>Saisissez un nom d&apos;événement.</translation>
    </message>
    <message>
        <source>Choose a target.</source>
        <translation>Choisissez une cible.</translation>
    </message>
    <message>
        <source>Fix the payload: %1</source>
        <translation>Corrigez la charge utile&#xa0;: %1</translation>
    </message>
    <message>
        <source>Notification</source>
        <translation>Notification</translation>
    </message>
    <message>
        <source>Order update</source>
        <translation>Mise à jour de commande</translation>
    </message>
    <message>
        <source>Chat message</source>
        <translation>Message de chat</translation>
    </message>
    <message>
        <source>Force reload</source>
        <translation>Forcer le rechargement</translation>
    </message>
    <message>
        <source>Empty object</source>
        <translation>Objet vide</translation>
    </message>
    <message>
        <source>Emit</source>
        <translation>Émettre</translation>
    </message>
    <message>
        <source>Send an event to clients, as a back-end service would through the HTTP API</source>
        <translation>Envoyer un événement aux clients, comme le ferait un service back-end via l&apos;API HTTP</translation>
    </message>
    <message>
        <source>New event</source>
        <translation>Nouvel événement</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Cible</translation>
    </message>
    <message>
        <source>Broadcast</source>
        <translation>Diffusion</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Salon</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilisateur</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Connexion</translation>
    </message>
    <message>
        <source>User id</source>
        <translation>Id utilisateur</translation>
    </message>
    <message>
        <source>Connection id</source>
        <translation>Id de connexion</translation>
    </message>
    <message>
        <source>e.g. order:42</source>
        <translation>p.&#xa0;ex. order:42</translation>
    </message>
    <message>
        <source>e.g. 42</source>
        <translation>p.&#xa0;ex. 42</translation>
    </message>
    <message>
        <source>e.g. 17</source>
        <translation>p.&#xa0;ex. 17</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Événement</translation>
    </message>
    <message>
        <source>event name, e.g. notification</source>
        <translation>nom d&apos;événement, p.&#xa0;ex. notification</translation>
    </message>
    <message>
        <source>Recent:</source>
        <translation>Récents&#xa0;:</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Charge utile</translation>
    </message>
    <message>
        <source>Templates…</source>
        <translation>Modèles…</translation>
    </message>
    <message>
        <source>Pretty-print</source>
        <translation>Mettre en forme</translation>
    </message>
    <message>
        <source>Require ack, timeout</source>
        <translation>Exiger un accusé, délai</translation>
    </message>
    <message>
        <source>s</source>
        <translation>s</translation>
    </message>
    <message>
        <source>Persist for offline users</source>
        <translation>Conserver pour les utilisateurs hors ligne</translation>
    </message>
    <message>
        <source>Stored and delivered when the user next connects (needs the durable store)</source>
        <translation>Stocké et remis à la prochaine connexion de l&apos;utilisateur (nécessite le stockage durable)</translation>
    </message>
    <message>
        <source>Exclude user</source>
        <translation>Exclure l&apos;utilisateur</translation>
    </message>
    <message>
        <source>user id</source>
        <translation>id utilisateur</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>%1 · id %2</source>
        <translation>%1 · id %2</translation>
    </message>
    <message>
        <source>Nothing sent yet</source>
        <translation>Rien n&apos;a encore été envoyé</translation>
    </message>
    <message>
        <source>Delivered to</source>
        <translation>Remis à</translation>
    </message>
    <message>
        <source>sockets</source>
        <translation>sockets</translation>
    </message>
    <message>
        <source>Acks</source>
        <translation>Accusés</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>waiting…</source>
        <translation>en attente…</translation>
    </message>
    <message>
        <source>timed out, %1 missing</source>
        <translation>délai dépassé, %1 manquant(s)</translation>
    </message>
    <message numerus="yes">
        <source>%n nack(s)</source>
        <translation>
            <numerusform>%n refus</numerusform>
            <numerusform>%n refus</numerusform>
        </translation>
    </message>
    <message>
        <source>all acknowledged</source>
        <translation>tous accusés</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historique</translation>
    </message>
    <message numerus="yes">
        <source>%n emit(s) from this console</source>
        <translation>
            <numerusform>%n envoi depuis cette console</numerusform>
            <numerusform>%n envois depuis cette console</numerusform>
        </translation>
    </message>
    <message>
        <source>broadcast</source>
        <translation>diffusion</translation>
    </message>
    <message>
        <source>room %1</source>
        <translation>salon %1</translation>
    </message>
    <message>
        <source>user %1</source>
        <translation>utilisateur %1</translation>
    </message>
    <message>
        <source>connection #%1</source>
        <translation>connexion #%1</translation>
    </message>
    <message>
        <source>%1 sent · %2 acks</source>
        <translation>%1 envoyés · %2 accusés</translation>
    </message>
    <message>
        <source>%1 sent</source>
        <translation>%1 envoyés</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Modifier</translation>
    </message>
    <message>
        <source>Re-send</source>
        <translation>Renvoyer</translation>
    </message>
    <message>
        <source>Sent events appear here, ready to re-send.</source>
        <translation>Les événements envoyés apparaissent ici, prêts à être renvoyés.</translation>
    </message>
</context>
<context>
    <name>EventsPage</name>
    <message>
        <source>Events</source>
        <translation>Événements</translation>
    </message>
    <message>
        <source>Live log of events in, out and system events, newest first</source>
        <translation>Journal en direct des événements entrants, sortants et système, les plus récents en premier</translation>
    </message>
    <message>
        <source>▶ Resume</source>
        <translation>▶ Reprendre</translation>
    </message>
    <message>
        <source>❚❚ Pause</source>
        <translation>❚❚ Pause</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Effacer</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tous</translation>
    </message>
    <message>
        <source>In</source>
        <translation>Entrants</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Sortants</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Système</translation>
    </message>
    <message>
        <source>Event name</source>
        <translation>Nom d&apos;événement</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Salon</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilisateur</translation>
    </message>
    <message>
        <source>Showing %1 of %2 buffered rows (max %3)</source>
        <translation>%1 lignes affichées sur %2 en mémoire (max. %3)</translation>
    </message>
    <message>
        <source>%1 sampled out</source>
        <translation>%1 écartées</translation>
    </message>
    <message>
        <source>Under heavy load the server keeps at most 2,000 log rows a second and only counts the rest</source>
        <translation>Sous forte charge, le serveur garde au plus 2&#xa0;000 lignes de journal par seconde et se contente de compter les autres</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>en pause</translation>
    </message>
    <message>
        <source>Export JSON lines</source>
        <translation>Exporter en JSON Lines</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) written</source>
        <translation>
            <numerusform>%n ligne écrite</numerusform>
            <numerusform>%n lignes écrites</numerusform>
        </translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Dir</source>
        <translation>Sens</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Room / target</source>
        <translation>Salon / cible</translation>
    </message>
    <message>
        <source>Conn</source>
        <translation>Conn.</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Détail</translation>
    </message>
    <message>
        <source>in</source>
        <translation>entrant</translation>
    </message>
    <message>
        <source>out</source>
        <translation>sortant</translation>
    </message>
    <message>
        <source>system</source>
        <translation>système</translation>
    </message>
    <message>
        <source>No event matches the filters</source>
        <translation>Aucun événement ne correspond aux filtres</translation>
    </message>
    <message>
        <source>No events yet</source>
        <translation>Aucun événement pour l&apos;instant</translation>
    </message>
    <message>
        <source>Connects, disconnects and every emitted event show up here as they happen.</source>
        <translation>Connexions, déconnexions et chaque événement émis apparaissent ici en temps réel.</translation>
    </message>
</context>
<context>
    <name>FilterField</name>
    <message>
        <source>Filter</source>
        <translation>Filtrer</translation>
    </message>
    <message>
        <source>Clear filter</source>
        <translation>Effacer le filtre</translation>
    </message>
</context>
<context>
    <name>JsonEditor</name>
    <message>
        <source>Line %1, column %2: %3</source>
        <translation>Ligne %1, colonne %2&#xa0;: %3</translation>
    </message>
    <message>
        <source>{ &quot;key&quot;: &quot;value&quot; }</source>
        <translation>{ &quot;key&quot;: &quot;value&quot; }</translation>
    </message>
    <message>
        <source>Empty payload: sends null</source>
        <translation>Charge utile vide&#xa0;: envoie null</translation>
    </message>
    <message>
        <source>Valid JSON (%1)</source>
        <translation>JSON valide (%1)</translation>
    </message>
</context>
<context>
    <name>LinkBanner</name>
    <message>
        <source>PRODUCTION</source>
        <translation>PRODUCTION</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>connected as %1</source>
        <translation>connecté en tant que %1</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>connexion…</translation>
    </message>
    <message>
        <source>reconnecting…</source>
        <translation>reconnexion…</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>refusé</translation>
    </message>
    <message>
        <source>read-only</source>
        <translation>lecture seule</translation>
    </message>
    <message>
        <source>Stale data — %1</source>
        <translation>Données périmées — %1</translation>
    </message>
    <message>
        <source>Stale data — the node is not reachable</source>
        <translation>Données périmées — le nœud n&apos;est pas joignable</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Switchboard — %1</source>
        <translation>Switchboard — %1</translation>
    </message>
    <message>
        <source>Switchboard — %1 (remote)</source>
        <translation>Switchboard — %1 (distant)</translation>
    </message>
</context>
<context>
    <name>NavRail</name>
    <message>
        <source>Switchboard</source>
        <translation>Switchboard</translation>
    </message>
    <message>
        <source>Operator console</source>
        <translation>Console d&apos;exploitation</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Vue d&apos;ensemble</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Connexions</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Salons</translation>
    </message>
    <message>
        <source>Queues</source>
        <translation>Files d&apos;attente</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Événements</translation>
    </message>
    <message>
        <source>Emit</source>
        <translation>Émettre</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Server running</source>
        <translation>Serveur actif</translation>
    </message>
    <message>
        <source>Server stopped</source>
        <translation>Serveur arrêté</translation>
    </message>
    <message>
        <source>v%1</source>
        <translation>v%1</translation>
    </message>
    <message>
        <source>Remote: connected</source>
        <translation>Distant : connecté</translation>
    </message>
    <message>
        <source>Remote: refused</source>
        <translation>Distant : refusé</translation>
    </message>
    <message>
        <source>Remote: connecting…</source>
        <translation>Distant : connexion…</translation>
    </message>
    <message>
        <source>Remote: reconnecting…</source>
        <translation>Distant : reconnexion…</translation>
    </message>
    <message>
        <source>Connect to server…</source>
        <translation>Se connecter à un serveur…</translation>
    </message>
</context>
<context>
    <name>NodesPane</name>
    <message>
        <source>Nodes</source>
        <translation>Nœuds</translation>
    </message>
    <message>
        <source>All nodes</source>
        <translation>Tous les nœuds</translation>
    </message>
    <message>
        <source>%1 · %2 conn. · %3</source>
        <translation>%1 · %2 conn. · %3</translation>
    </message>
    <message>
        <source>up</source>
        <translation>actif</translation>
    </message>
    <message>
        <source>gone</source>
        <translation>disparu</translation>
    </message>
</context>
<context>
    <name>OverviewPage</name>
    <message>
        <source>%1 d %2 h %3 min</source>
        <translation>%1 j %2 h %3 min</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Vue d&apos;ensemble</translation>
    </message>
    <message>
        <source>Live state of the embedded server</source>
        <translation>État en direct du serveur intégré</translation>
    </message>
    <message>
        <source>Live state of the remote node</source>
        <translation>État en direct du nœud distant</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Fenêtre</translation>
    </message>
    <message>
        <source>1 min</source>
        <translation>1 min</translation>
    </message>
    <message>
        <source>5 min</source>
        <translation>5 min</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>En marche</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Arrêté</translation>
    </message>
    <message>
        <source>Listening on</source>
        <translation>À l’écoute sur</translation>
    </message>
    <message>
        <source>WebSocket endpoint</source>
        <translation>Point d&apos;accès WebSocket</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>Temps de fonctionnement</translation>
    </message>
    <message>
        <source>I/O threads</source>
        <translation>Threads d&apos;E/S</translation>
    </message>
    <message>
        <source>Stop server</source>
        <translation>Arrêter le serveur</translation>
    </message>
    <message>
        <source>Start server</source>
        <translation>Démarrer le serveur</translation>
    </message>
    <message>
        <source>Closes every client with 1001 (going away) and stops listening</source>
        <translation>Ferme chaque client avec 1001 (going away) et cesse d&apos;écouter</translation>
    </message>
    <message>
        <source>Listens again on the configured address</source>
        <translation>Écoute à nouveau sur l&apos;adresse configurée</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Connexions</translation>
    </message>
    <message>
        <source>%1 total since start · limit %2</source>
        <translation>%1 au total depuis le démarrage · limite %2</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Utilisateurs</translation>
    </message>
    <message>
        <source>distinct user ids online</source>
        <translation>ids utilisateur distincts en ligne</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Salons</translation>
    </message>
    <message>
        <source>with at least one member</source>
        <translation>avec au moins un membre</translation>
    </message>
    <message>
        <source>Queue depth</source>
        <translation>Profondeur de file</translation>
    </message>
    <message>
        <source>Events in</source>
        <translation>Événements entrants</translation>
    </message>
    <message>
        <source>/s</source>
        <translation>/s</translation>
    </message>
    <message>
        <source>messages from clients</source>
        <translation>messages des clients</translation>
    </message>
    <message>
        <source>Events out</source>
        <translation>Événements sortants</translation>
    </message>
    <message>
        <source>messages written to sockets</source>
        <translation>messages écrits sur les sockets</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>Taux d&apos;erreurs</translation>
    </message>
    <message>
        <source>%1 auth failures · %2 rate limited</source>
        <translation>%1 échecs d&apos;auth · %2 limités en débit</translation>
    </message>
    <message>
        <source>p99 latency</source>
        <translation>Latence p99</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>emit → socket write · p50 %1 ms</source>
        <translation>émission → écriture socket · p50 %1 ms</translation>
    </message>
    <message>
        <source>connections</source>
        <translation>connexions</translation>
    </message>
    <message>
        <source>users</source>
        <translation>utilisateurs</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>Débit</translation>
    </message>
    <message>
        <source>out</source>
        <translation>sortants</translation>
    </message>
    <message>
        <source>in</source>
        <translation>entrants</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>messages</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latence</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>ready + in flight + delayed</source>
        <translation>prêts + en cours + différés</translation>
    </message>
    <message>
        <source>Degraded: %1. Clients of this node are served; emits do not reach the other nodes until it is back.</source>
        <translation>Dégradé : %1. Les clients de ce nœud sont servis ; les émissions n’atteignent les autres nœuds qu’à son retour.</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>Cluster</translation>
    </message>
    <message>
        <source>This node: %1 · Redis %2</source>
        <translation>Ce nœud : %1 · Redis %2</translation>
    </message>
    <message>
        <source>Single node (start with --redis to join a cluster)</source>
        <translation>Nœud unique (démarrer avec --redis pour rejoindre un cluster)</translation>
    </message>
    <message>
        <source>%1 of %2 nodes up</source>
        <translation>%1 nœuds actifs sur %2</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Nœud</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>In /s</source>
        <translation>Entrée /s</translation>
    </message>
    <message>
        <source>Out /s</source>
        <translation>Sortie /s</translation>
    </message>
    <message>
        <source> (this node)</source>
        <translation> (ce nœud)</translation>
    </message>
</context>
<context>
    <name>ProfileStore</name>
    <message>
        <source>Give the profile a name.</source>
        <translation>Donnez un nom au profil.</translation>
    </message>
    <message>
        <source>Profile names are at most %1 characters.</source>
        <translation>Les noms de profil font au plus %1 caractères.</translation>
    </message>
    <message>
        <source>The address must be http://host:port or https://host:port.</source>
        <translation>L&apos;adresse doit être http://hôte:port ou https://hôte:port.</translation>
    </message>
    <message>
        <source>At most %1 profiles; remove one first.</source>
        <translation>Au plus %1 profils ; supprimez-en un d&apos;abord.</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Built without QtKeychain.</source>
        <translation>Compilé sans QtKeychain.</translation>
    </message>
</context>
<context>
    <name>QueuesPage</name>
    <message>
        <source>Queues</source>
        <translation>Files d&apos;attente</translation>
    </message>
    <message>
        <source>Durable job queues: depth by state, rates, dead letters</source>
        <translation>Files de tâches durables&#xa0;: profondeur par état, débits, lettres mortes</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Prêts</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>Delayed</source>
        <translation>Différés</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Lettres mortes</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Dead</source>
        <translation>Morts</translation>
    </message>
    <message>
        <source>Enqueued/s</source>
        <translation>Ajoutés/s</translation>
    </message>
    <message>
        <source>Acked/s</source>
        <translation>Accusés/s</translation>
    </message>
    <message>
        <source>Consumers</source>
        <translation>Consommateurs</translation>
    </message>
    <message>
        <source>Messages that used up their attempts: payload, attempts, last error</source>
        <translation>Messages ayant épuisé leurs tentatives&#xa0;: charge utile, tentatives, dernière erreur</translation>
    </message>
    <message>
        <source>Retry all</source>
        <translation>Tout réessayer</translation>
    </message>
    <message>
        <source>Purge</source>
        <translation>Purger</translation>
    </message>
    <message>
        <source>unavailable</source>
        <translation>indisponible</translation>
    </message>
    <message>
        <source>durable</source>
        <translation>durable</translation>
    </message>
    <message>
        <source>in memory</source>
        <translation>en mémoire</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Fenêtre</translation>
    </message>
    <message>
        <source>1 min</source>
        <translation>1 min</translation>
    </message>
    <message>
        <source>5 min</source>
        <translation>5 min</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <source>waiting for a consumer</source>
        <translation>attend un consommateur</translation>
    </message>
    <message>
        <source>delivered, not yet acked</source>
        <translation>livrés, non accusés</translation>
    </message>
    <message>
        <source>backoff or delay pending</source>
        <translation>nouvel essai ou délai</translation>
    </message>
    <message>
        <source>used up their attempts</source>
        <translation>tentatives épuisées</translation>
    </message>
    <message numerus="yes">
        <source>%n queue(s)</source>
        <translation>
            <numerusform>%n file</numerusform>
            <numerusform>%n files</numerusform>
        </translation>
    </message>
    <message>
        <source>Enqueued</source>
        <translation>Ajoutés</translation>
    </message>
    <message>
        <source>/s</source>
        <translation>/s</translation>
    </message>
    <message>
        <source>acked %1/s · nacked %2/s</source>
        <translation>accusés %1/s · rejetés %2/s</translation>
    </message>
    <message>
        <source>Store: %1 · click a queue for its chart and dead letters</source>
        <translation>Stockage&#xa0;: %1 · cliquez sur une file pour son graphique et ses lettres mortes</translation>
    </message>
    <message>
        <source>The durable queue store is not available</source>
        <translation>Le stockage durable des files n&apos;est pas disponible</translation>
    </message>
    <message>
        <source>Enqueue test message…</source>
        <translation>Ajouter un message de test…</translation>
    </message>
    <message>
        <source>Nacked/s</source>
        <translation>Rejetés/s</translation>
    </message>
    <message>
        <source>Dead-lettered/s</source>
        <translation>Mis au rebut/s</translation>
    </message>
    <message>
        <source>No queues yet</source>
        <translation>Aucune file pour l&apos;instant</translation>
    </message>
    <message>
        <source>A queue is created on first use: an enqueue (POST /api/queues/NAME/messages, or Enqueue test message…) or a consumer&apos;s {&quot;type&quot;:&quot;consume&quot;}.</source>
        <translation>Une file est créée à sa première utilisation&#xa0;: un ajout (POST /api/queues/NAME/messages, ou Ajouter un message de test…) ou le {&quot;type&quot;:&quot;consume&quot;} d&apos;un consommateur.</translation>
    </message>
    <message>
        <source>Queues run with the server: start it on the Overview page.</source>
        <translation>Les files fonctionnent avec le serveur&#xa0;: démarrez-le sur la page Vue d&apos;ensemble.</translation>
    </message>
    <message>
        <source>All queues</source>
        <translation>Toutes les files</translation>
    </message>
    <message>
        <source>Depth by state</source>
        <translation>Profondeur par état</translation>
    </message>
    <message>
        <source>all queues</source>
        <translation>toutes les files</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>prêts</translation>
    </message>
    <message>
        <source>in flight</source>
        <translation>en cours</translation>
    </message>
    <message>
        <source>delayed</source>
        <translation>différés</translation>
    </message>
    <message>
        <source>dead</source>
        <translation>morts</translation>
    </message>
    <message>
        <source>Dead letters of %1</source>
        <translation>Lettres mortes de %1</translation>
    </message>
    <message>
        <source>Purge…</source>
        <translation>Purger…</translation>
    </message>
    <message>
        <source>Select a queue</source>
        <translation>Sélectionnez une file</translation>
    </message>
    <message>
        <source>Its dead letters appear here, 50 at a time, with retry and purge.</source>
        <translation>Ses lettres mortes apparaissent ici, 50 à la fois, avec nouvel essai et purge.</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Dead since</source>
        <translation>Morte depuis</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Tentatives</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Dernière erreur</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Charge utile</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Réessayer</translation>
    </message>
    <message>
        <source>No dead letters</source>
        <translation>Aucune lettre morte</translation>
    </message>
    <message>
        <source>A message lands here after its last attempt failed (nack, visibility timeout or a lost consumer).</source>
        <translation>Un message arrive ici quand sa dernière tentative a échoué (nack, délai de visibilité dépassé ou consommateur perdu).</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucune</translation>
    </message>
    <message>
        <source>%1–%2 of %3</source>
        <translation>%1–%2 sur %3</translation>
    </message>
    <message>
        <source>‹ Previous</source>
        <translation>‹ Précédent</translation>
    </message>
    <message>
        <source>Next ›</source>
        <translation>Suivant ›</translation>
    </message>
    <message>
        <source>Purge dead letters?</source>
        <translation>Purger les lettres mortes&#xa0;?</translation>
    </message>
    <message numerus="yes">
        <source>This deletes the %n dead letter(s) of %1 for good; they cannot be retried afterwards.</source>
        <translation>
            <numerusform>Cela supprime définitivement %n lettre morte de %1&#xa0;; elle ne pourra plus être réessayée.</numerusform>
            <numerusform>Cela supprime définitivement %n lettres mortes de %1&#xa0;; elles ne pourront plus être réessayées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>The durable queue store is not available.</source>
        <translation>Le stockage durable des files n&apos;est pas disponible.</translation>
    </message>
    <message>
        <source>Fix the payload: %1</source>
        <translation>Corrigez la charge utile&#xa0;: %1</translation>
    </message>
    <message>
        <source>Enqueue a test message</source>
        <translation>Ajouter un message de test</translation>
    </message>
    <message>
        <source>e.g. booking_queue</source>
        <translation>p.&#xa0;ex. booking_queue</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorité</translation>
    </message>
    <message>
        <source>high</source>
        <translation>haute</translation>
    </message>
    <message>
        <source>normal</source>
        <translation>normale</translation>
    </message>
    <message>
        <source>low</source>
        <translation>basse</translation>
    </message>
    <message>
        <source>Max attempts</source>
        <translation>Tentatives max.</translation>
    </message>
    <message>
        <source>Delay</source>
        <translation>Délai</translation>
    </message>
    <message>
        <source>s (0 = ready at once)</source>
        <translation>s (0 = prêt tout de suite)</translation>
    </message>
    <message>
        <source>Enqueue</source>
        <translation>Ajouter</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Message %1 · priority %2 · dead since %3
Last error: %4

%5</source>
        <translation>Message %1 · priorité %2 · morte depuis %3
Dernière erreur&#xa0;: %4

%5</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>connecté</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>connexion</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>déconnecté</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>arrêté</translation>
    </message>
    <message>
        <source>RabbitMQ bridge</source>
        <translation>Pont RabbitMQ</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n connect(s)</source>
        <translation>
            <numerusform>%1 · %n connexion</numerusform>
            <numerusform>%1 · %n connexions</numerusform>
        </translation>
    </message>
    <message>
        <source>Exchange</source>
        <translation>Échange</translation>
    </message>
    <message>
        <source>Routing keys</source>
        <translation>Clés de routage</translation>
    </message>
    <message>
        <source>Received/s</source>
        <translation>Reçus/s</translation>
    </message>
    <message>
        <source>Emitted/s</source>
        <translation>Émis/s</translation>
    </message>
    <message>
        <source>Rejected/s</source>
        <translation>Rejetés/s</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Rejetés</translation>
    </message>
    <message>
        <source>Redelivered</source>
        <translation>Redistribués</translation>
    </message>
</context>
<context>
    <name>RoomsPage</name>
    <message>
        <source>Rooms</source>
        <translation>Salons</translation>
    </message>
    <message>
        <source>Rooms exist while they have members: user:, role: and token rooms are joined on connect, others by subscribe.</source>
        <translation>Un salon existe tant qu&apos;il a des membres&#xa0;: les salons user:, role: et ceux du jeton sont rejoints à la connexion, les autres par subscribe.</translation>
    </message>
    <message>
        <source>Filter rooms</source>
        <translation>Filtrer les salons</translation>
    </message>
    <message>
        <source>%1 of %2 rooms</source>
        <translation>%1 sur %2 salons</translation>
    </message>
    <message numerus="yes">
        <source>%n room(s)</source>
        <translation>
            <numerusform>%n salon</numerusform>
            <numerusform>%n salons</numerusform>
        </translation>
    </message>
    <message>
        <source>user</source>
        <translation>util.</translation>
    </message>
    <message>
        <source>role</source>
        <translation>rôle</translation>
    </message>
    <message>
        <source>room</source>
        <translation>salon</translation>
    </message>
    <message>
        <source>No room matches the filter</source>
        <translation>Aucun salon ne correspond au filtre</translation>
    </message>
    <message>
        <source>No rooms yet</source>
        <translation>Aucun salon pour l&apos;instant</translation>
    </message>
    <message>
        <source>Select a room</source>
        <translation>Sélectionnez un salon</translation>
    </message>
    <message>
        <source>Its members appear here; you can broadcast to the room or remove a member from it.</source>
        <translation>Ses membres apparaissent ici&#xa0;; vous pouvez diffuser dans le salon ou en retirer un membre.</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n membre</numerusform>
            <numerusform>%n membres</numerusform>
        </translation>
    </message>
    <message>
        <source>Broadcast to this room</source>
        <translation>Diffuser dans ce salon</translation>
    </message>
    <message>
        <source>event name</source>
        <translation>nom d&apos;événement</translation>
    </message>
    <message>
        <source>payload (JSON)</source>
        <translation>charge utile (JSON)</translation>
    </message>
    <message>
        <source>Broadcast</source>
        <translation>Diffuser</translation>
    </message>
    <message>
        <source>Open in Emit…</source>
        <translation>Ouvrir dans Émettre…</translation>
    </message>
    <message numerus="yes">
        <source>Delivered to %n socket(s)</source>
        <translation>
            <numerusform>Remis à %n socket</numerusform>
            <numerusform>Remis à %n sockets</numerusform>
        </translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Membres</translation>
    </message>
    <message>
        <source>Remove selected member from room</source>
        <translation>Retirer du salon le membre sélectionné</translation>
    </message>
</context>
<context>
    <name>SecretField</name>
    <message>
        <source>(not set)</source>
        <translation>(non défini)</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Masquer</translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation>Afficher</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Server values come from flags, SWITCHBOARD_* variables or the config file; they apply at start.</source>
        <translation>Les valeurs du serveur viennent des options, des variables SWITCHBOARD_* ou du fichier de configuration&#xa0;; elles s&apos;appliquent au démarrage.</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Serveur</translation>
    </message>
    <message>
        <source>HTTP address</source>
        <translation>Adresse HTTP</translation>
    </message>
    <message>
        <source>WebSocket</source>
        <translation>WebSocket</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>Répertoire de données</translation>
    </message>
    <message>
        <source>I/O threads</source>
        <translation>Threads d&apos;E/S</translation>
    </message>
    <message>
        <source>Cluster (Redis)</source>
        <translation>Cluster (Redis)</translation>
    </message>
    <message>
        <source>standalone</source>
        <translation>autonome</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>Limites</translation>
    </message>
    <message>
        <source>Max connections</source>
        <translation>Connexions max.</translation>
    </message>
    <message>
        <source>Heartbeat</source>
        <translation>Battement de cœur</translation>
    </message>
    <message>
        <source>ping every %1 s, timeout %2 s</source>
        <translation>ping toutes les %1 s, délai %2 s</translation>
    </message>
    <message>
        <source>Max message size</source>
        <translation>Taille max. de message</translation>
    </message>
    <message>
        <source>Rate limit</source>
        <translation>Limite de débit</translation>
    </message>
    <message>
        <source>%1 messages/s per connection, burst %2</source>
        <translation>%1 messages/s par connexion, rafale %2</translation>
    </message>
    <message>
        <source>Send buffer cap</source>
        <translation>Plafond du tampon d&apos;envoi</translation>
    </message>
    <message>
        <source>Secrets</source>
        <translation>Secrets</translation>
    </message>
    <message>
        <source>Masked; reveal only on a trusted screen</source>
        <translation>Masqués&#xa0;; à afficher uniquement sur un écran de confiance</translation>
    </message>
    <message>
        <source>JWT secret</source>
        <translation>Secret JWT</translation>
    </message>
    <message>
        <source>Internal key</source>
        <translation>Clé interne</translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation>Jeton d&apos;administration</translation>
    </message>
    <message>
        <source>Appearance and language</source>
        <translation>Apparence et langue</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Thème</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Sombre</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Clair</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>Token tool</source>
        <translation>Outil de jeton</translation>
    </message>
    <message>
        <source>Mint a development JWT signed with this server&apos;s secret, and a ready-to-use WebSocket URL</source>
        <translation>Créer un JWT de développement signé avec le secret de ce serveur, et une URL WebSocket prête à l&apos;emploi</translation>
    </message>
    <message>
        <source>user id (required)</source>
        <translation>id utilisateur (obligatoire)</translation>
    </message>
    <message>
        <source>role, e.g. admin</source>
        <translation>rôle, p.&#xa0;ex. admin</translation>
    </message>
    <message>
        <source>rooms, comma separated</source>
        <translation>salons, séparés par des virgules</translation>
    </message>
    <message>
        <source>valid for</source>
        <translation>valable</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 heure</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation>1 jour</translation>
    </message>
    <message>
        <source>7 days</source>
        <translation>7 jours</translation>
    </message>
    <message>
        <source>Mint token</source>
        <translation>Créer le jeton</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Jeton</translation>
    </message>
    <message>
        <source>Copy token</source>
        <translation>Copier le jeton</translation>
    </message>
    <message>
        <source>Token copied</source>
        <translation>Jeton copié</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Copy URL</source>
        <translation>Copier l&apos;URL</translation>
    </message>
    <message>
        <source>URL copied</source>
        <translation>URL copiée</translation>
    </message>
    <message>
        <source>Try it: npx wscat -c &quot;%1&quot;</source>
        <translation>Essayez&#xa0;: npx wscat -c &quot;%1&quot;</translation>
    </message>
</context>
<context>
    <name>Switchboard::ConnectionsModel</name>
    <message>
        <source>%1 s ago</source>
        <translation>il y a %1 s</translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation>il y a %1 min</translation>
    </message>
    <message>
        <source>%1 h ago</source>
        <translation>il y a %1 h</translation>
    </message>
    <message>
        <source>%1 d ago</source>
        <translation>il y a %1 j</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilisateur</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rôle</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Connecté</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>Activité</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Salons</translation>
    </message>
    <message>
        <source>Msgs in</source>
        <translation>Reçus</translation>
    </message>
    <message>
        <source>Msgs out</source>
        <translation>Envoyés</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocole</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>native</source>
        <translation>natif</translation>
    </message>
    <message>
        <source>Socket.IO</source>
        <translation>Socket.IO</translation>
    </message>
    <message>
        <source>WebSocket</source>
        <translation>WebSocket</translation>
    </message>
    <message>
        <source>polling</source>
        <translation>polling</translation>
    </message>
</context>
<context>
    <name>Switchboard::Emitter</name>
    <message>
        <source>No server</source>
        <translation>Aucun serveur</translation>
    </message>
    <message>
        <source>Enter an event name</source>
        <translation>Saisissez un nom d&apos;événement</translation>
    </message>
    <message>
        <source>Payload is not valid JSON (line %1, column %2): %3</source>
        <translation>La charge utile n&apos;est pas du JSON valide (ligne %1, colonne %2)&#xa0;: %3</translation>
    </message>
    <message>
        <source>Enter a connection id (a number)</source>
        <translation>Saisissez un id de connexion (un nombre)</translation>
    </message>
    <message>
        <source>Unknown target</source>
        <translation>Cible inconnue</translation>
    </message>
    <message>
        <source>Enter a target</source>
        <translation>Saisissez une cible</translation>
    </message>
</context>
<context>
    <name>Switchboard::EventsModel</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Impossible d&apos;écrire %1&#xa0;: %2</translation>
    </message>
</context>
<context>
    <name>Switchboard::JsonCheck</name>
    <message>
        <source>an object is not closed: a &apos;}&apos; or &apos;,&apos; is missing</source>
        <translation>un objet n&apos;est pas fermé&#xa0;: il manque &apos;}&apos; ou &apos;,&apos;</translation>
    </message>
    <message>
        <source>a &apos;:&apos; is missing after a key</source>
        <translation>il manque &apos;:&apos; après une clé</translation>
    </message>
    <message>
        <source>an array is not closed: a &apos;]&apos; or &apos;,&apos; is missing</source>
        <translation>un tableau n&apos;est pas fermé&#xa0;: il manque &apos;]&apos; ou &apos;,&apos;</translation>
    </message>
    <message>
        <source>a &apos;,&apos; is missing between values</source>
        <translation>il manque &apos;,&apos; entre des valeurs</translation>
    </message>
    <message>
        <source>this is not a JSON value (strings need double quotes)</source>
        <translation>ce n&apos;est pas une valeur JSON (les chaînes exigent des guillemets doubles)</translation>
    </message>
    <message>
        <source>the text ends inside a number</source>
        <translation>le texte se termine au milieu d&apos;un nombre</translation>
    </message>
    <message>
        <source>this number is not valid JSON</source>
        <translation>ce nombre n&apos;est pas du JSON valide</translation>
    </message>
    <message>
        <source>invalid escape sequence in a string</source>
        <translation>séquence d&apos;échappement invalide dans une chaîne</translation>
    </message>
    <message>
        <source>invalid UTF-8 in a string</source>
        <translation>UTF-8 invalide dans une chaîne</translation>
    </message>
    <message>
        <source>a string is not closed: a &apos;&quot;&apos; is missing</source>
        <translation>une chaîne n&apos;est pas fermée&#xa0;: il manque &apos;&quot;&apos;</translation>
    </message>
    <message>
        <source>an object was expected</source>
        <translation>un objet était attendu</translation>
    </message>
    <message>
        <source>the document is nested too deeply</source>
        <translation>le document est trop profondément imbriqué</translation>
    </message>
    <message>
        <source>the document is too large</source>
        <translation>le document est trop volumineux</translation>
    </message>
    <message>
        <source>unexpected text after the value (only one value is allowed)</source>
        <translation>texte inattendu après la valeur (une seule valeur est permise)</translation>
    </message>
    <message>
        <source>invalid JSON</source>
        <translation>JSON invalide</translation>
    </message>
    <message>
        <source>empty: enter a JSON value, e.g. {}</source>
        <translation>vide&#xa0;: saisissez une valeur JSON, p.&#xa0;ex. {}</translation>
    </message>
    <message>
        <source>null</source>
        <translation>null</translation>
    </message>
    <message>
        <source>boolean</source>
        <translation>booléen</translation>
    </message>
    <message>
        <source>number</source>
        <translation>nombre</translation>
    </message>
    <message>
        <source>string</source>
        <translation>chaîne</translation>
    </message>
    <message>
        <source>array</source>
        <translation>tableau</translation>
    </message>
    <message>
        <source>object</source>
        <translation>objet</translation>
    </message>
    <message>
        <source>strings and keys need double quotes, not single quotes</source>
        <translation>les chaînes et les clés exigent des guillemets doubles, pas simples</translation>
    </message>
    <message>
        <source>remove the comma before &apos;%1&apos;: JSON allows no trailing comma</source>
        <translation>supprimez la virgule avant &apos;%1&apos;&#xa0;: JSON n&apos;autorise pas de virgule finale</translation>
    </message>
    <message>
        <source>a value is missing after &apos;:&apos;</source>
        <translation>il manque une valeur après &apos;:&apos;</translation>
    </message>
</context>
<context>
    <name>Switchboard::LocalSource</name>
    <message>
        <source>The durable queue store is not available (is the server running?).</source>
        <translation>Le stockage durable des files n&apos;est pas disponible (le serveur tourne-t-il ?).</translation>
    </message>
    <message>
        <source>The connection is gone.</source>
        <translation>La connexion n&apos;existe plus.</translation>
    </message>
    <message>
        <source>Unknown action %1.</source>
        <translation>Action inconnue %1.</translation>
    </message>
</context>
<context>
    <name>Switchboard::ProfilesModel</name>
    <message>
        <source>Profile %1 saved.</source>
        <translation>Profil %1 enregistré.</translation>
    </message>
    <message>
        <source>Profile %1 saved; its token is in the system keychain.</source>
        <translation>Profil %1 enregistré ; son jeton est dans le trousseau du système.</translation>
    </message>
    <message>
        <source>No keychain on this system: the token of %1 is saved in plain text in the console&apos;s settings file, as you asked.</source>
        <translation>Pas de trousseau sur ce système : le jeton de %1 est enregistré en clair dans le fichier de réglages de la console, comme demandé.</translation>
    </message>
    <message>
        <source>No keychain on this system: profile %1 is saved without its token; you will be asked for it when you connect.</source>
        <translation>Pas de trousseau sur ce système : le profil %1 est enregistré sans son jeton ; il vous sera demandé à la connexion.</translation>
    </message>
    <message>
        <source>The keychain refused the token (%1); profile %2 is saved without it.</source>
        <translation>Le trousseau a refusé le jeton (%1) ; le profil %2 est enregistré sans lui.</translation>
    </message>
    <message>
        <source>Profile %1 removed.</source>
        <translation>Profil %1 supprimé.</translation>
    </message>
    <message>
        <source>There is no profile named %1.</source>
        <translation>Il n&apos;y a pas de profil nommé %1.</translation>
    </message>
    <message>
        <source>No saved token for %1: enter it to connect.</source>
        <translation>Aucun jeton enregistré pour %1 : saisissez-le pour vous connecter.</translation>
    </message>
    <message>
        <source>Enter the admin token.</source>
        <translation>Saisissez le jeton d&apos;administration.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Connexion à %1…</translation>
    </message>
</context>
<context>
    <name>Switchboard::QueueActions</name>
    <message>
        <source>Enter a queue name.</source>
        <translation>Saisissez un nom de file.</translation>
    </message>
    <message>
        <source>Queue names are 1–128 characters from A–Z, a–z, 0–9 and _ . : -</source>
        <translation>Un nom de file compte 1 à 128 caractères parmi A–Z, a–z, 0–9 et _ . : -</translation>
    </message>
    <message>
        <source>The durable queue store is not available (is the server running?).</source>
        <translation>Le stockage durable des files n&apos;est pas disponible (le serveur est-il démarré&#xa0;?).</translation>
    </message>
    <message>
        <source>The payload is not valid JSON (line %1, column %2): %3</source>
        <translation>La charge utile n&apos;est pas du JSON valide (ligne %1, colonne %2)&#xa0;: %3</translation>
    </message>
    <message>
        <source>Choose a priority: high, normal or low.</source>
        <translation>Choisissez une priorité&#xa0;: haute, normale ou basse.</translation>
    </message>
    <message>
        <source>Max attempts must be a whole number from 1 to 1000.</source>
        <translation>Le nombre maximal de tentatives doit être un entier de 1 à 1000.</translation>
    </message>
    <message>
        <source>The delay must be from 0 to 30 days.</source>
        <translation>Le délai doit être compris entre 0 et 30 jours.</translation>
    </message>
    <message>
        <source>The payload is %1 bytes as JSON; the limit is %2.</source>
        <translation>La charge utile fait %1 octets en JSON&#xa0;; la limite est de %2.</translation>
    </message>
    <message>
        <source>Not enqueued: %1</source>
        <translation>Non ajouté&#xa0;: %1</translation>
    </message>
    <message>
        <source>Message %1 enqueued to %2, delayed by %3 s.</source>
        <translation>Message %1 ajouté à %2, différé de %3 s.</translation>
    </message>
    <message>
        <source>Message %1 enqueued to %2.</source>
        <translation>Message %1 ajouté à %2.</translation>
    </message>
    <message>
        <source>Choose a dead letter to retry.</source>
        <translation>Choisissez une lettre morte à réessayer.</translation>
    </message>
    <message>
        <source>There is no queue named %1.</source>
        <translation>Il n&apos;existe aucune file nommée %1.</translation>
    </message>
    <message>
        <source>The store could not move the message; see the server log.</source>
        <translation>Le stockage n&apos;a pas pu déplacer le message&#xa0;; voir le journal du serveur.</translation>
    </message>
    <message>
        <source>Message %1 is no longer in the dead letters of %2.</source>
        <translation>Le message %1 n&apos;est plus dans les lettres mortes de %2.</translation>
    </message>
    <message>
        <source>Message %1 is back in %2, ready for a consumer.</source>
        <translation>Le message %1 est de retour dans %2, prêt pour un consommateur.</translation>
    </message>
    <message>
        <source>The store could not move the messages; see the server log.</source>
        <translation>Le stockage n&apos;a pas pu déplacer les messages&#xa0;; voir le journal du serveur.</translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) of %1 moved back to ready.</source>
        <translation>
            <numerusform>%n lettre morte de %1 remise à l&apos;état prêt.</numerusform>
            <numerusform>%n lettres mortes de %1 remises à l&apos;état prêt.</numerusform>
        </translation>
    </message>
    <message>
        <source>The store could not purge the dead letters; see the server log.</source>
        <translation>Le stockage n&apos;a pas pu purger les lettres mortes&#xa0;; voir le journal du serveur.</translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) of %1 purged.</source>
        <translation>
            <numerusform>%n lettre morte de %1 purgée.</numerusform>
            <numerusform>%n lettres mortes de %1 purgées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Your role may not do this (%1).</source>
        <translation>Votre rôle ne permet pas cela (%1).</translation>
    </message>
    <message>
        <source>Refused (%1): %2</source>
        <translation>Refusé (%1) : %2</translation>
    </message>
    <message>
        <source>Not connected to the node.</source>
        <translation>Pas connecté au nœud.</translation>
    </message>
</context>
<context>
    <name>Switchboard::RemoteSource</name>
    <message>
        <source>%1 is not an http:// or https:// address.</source>
        <translation>%1 n&apos;est pas une adresse http:// ou https://.</translation>
    </message>
    <message>
        <source>The connection to the node was lost.</source>
        <translation>La connexion au nœud a été perdue.</translation>
    </message>
    <message>
        <source>The node refused the admin token.</source>
        <translation>Le nœud a refusé le jeton d&apos;administration.</translation>
    </message>
    <message>
        <source>Disconnected.</source>
        <translation>Déconnecté.</translation>
    </message>
    <message>
        <source>The connection was closed (code %1).</source>
        <translation>La connexion a été fermée (code %1).</translation>
    </message>
    <message>
        <source>on %1</source>
        <translation>sur %1</translation>
    </message>
    <message>
        <source>Not connected to the node.</source>
        <translation>Pas connecté au nœud.</translation>
    </message>
    <message>
        <source>superseded</source>
        <translation>remplacé</translation>
    </message>
    <message>
        <source>This profile is read-only.</source>
        <translation>Ce profil est en lecture seule.</translation>
    </message>
    <message>
        <source>Your role (%1) may not do this; it needs %2.</source>
        <translation>Votre rôle (%1) ne permet pas cela ; il faut %2.</translation>
    </message>
    <message>
        <source>Too many actions waiting for the node.</source>
        <translation>Trop d&apos;actions en attente du nœud.</translation>
    </message>
</context>
<context>
    <name>Switchboard::ServerStatus</name>
    <message>
        <source>This connection profile is read-only.</source>
        <translation>Ce profil de connexion est en lecture seule.</translation>
    </message>
    <message>
        <source>Not connected to the node yet.</source>
        <translation>Pas encore connecté au nœud.</translation>
    </message>
    <message>
        <source>Needs the %1 role; you are %2.</source>
        <translation>Nécessite le rôle %1 ; vous êtes %2.</translation>
    </message>
    <message>
        <source>not signed in</source>
        <translation>non connecté</translation>
    </message>
</context>
</TS>
